/**
 * G.722 encoder at 64 kbit/s (mode 1), ITU-T G.722 §3: transmit QMF → lower sub-band 6-bit ADPCM
 * and higher sub-band 2-bit ADPCM → one octet per pair of 16 kHz samples, `IH` in the two most
 * significant bits and `IL` in the six least (§3.7 multiplexer: I = IH·64 + IL).
 *
 * Bit-exact with ffmpeg's `g722` encoder (no trellis) — tests/unit/codecs/g722 checks it against
 * the ffmpeg binary. An odd trailing sample is encoded as a pair of itself, as ffmpeg does for a
 * last frame of odd length.
 */
import { BandState, initialHigh, initialLow, updateHigh, updateLow } from './band.ts';
import { QmfHistory } from './qmf.ts';
import { HIGH_INV_QUANT, LOW_QUANT } from './tables.ts';

const clip16 = (v: number): number => (v < -32768 ? -32768 : v > 32767 ? 32767 : v);
const Q8 = LOW_QUANT[8]!;

/** §3.4 QUANTH: 2-bit code for the higher band's difference. */
function quantizeHigh(b: BandState, xhigh: number): number {
  const diff = clip16(xhigh - b.sPredictor);
  const pred = (141 * b.scaleFactor) >> 8;
  return ((diff ^ (diff >> 31)) < pred ? 1 : 0) + (diff >= 0 ? 2 : 0);
}

/** §3.3 QUANTL: 6-bit code for the lower band's difference (decision levels × scale factor). */
function quantizeLow(b: BandState, xlow: number): number {
  const diff = clip16(xlow - b.sPredictor);
  const limit = ((diff ^ (diff >> 31)) + 1) << 10;
  const sf = b.scaleFactor;
  let i = limit > Q8 * sf ? 9 : 0;
  while (i < 29 && limit > LOW_QUANT[i]! * sf) i++;
  return (diff < 0 ? (i < 2 ? 63 : 33) : 61) - i;
}

export class G722EncoderCore {
  readonly #low = initialLow();
  readonly #high = initialHigh();
  readonly #qmf = new QmfHistory();

  /** Encodes `pcm` (16 kHz) into `out`: ⌈pcm.length / 2⌉ octets (bounded by `out.length`). Returns octets written. */
  encode(pcm: Int16Array, out: Uint8Array): number {
    const pairs = Math.min(pcm.length >> 1, out.length);
    for (let j = 0; j < pairs; j++) out[j] = this.#pair(pcm[2 * j]!, pcm[2 * j + 1]!);
    if (pcm.length & 1 && pairs < out.length && pairs === pcm.length >> 1) {
      const last = pcm[pcm.length - 1]!;
      out[pairs] = this.#pair(last, last);
      return pairs + 1;
    }
    return pairs;
  }

  #pair(s0: number, s1: number): number {
    const q = this.#qmf;
    q.push(s0, s1);
    const xlow = (q.odd + q.even) >> 14;
    const xhigh = (q.odd - q.even) >> 14;
    const high = this.#high;
    const low = this.#low;
    const ihigh = quantizeHigh(high, xhigh);
    const ilow = quantizeLow(low, xlow);
    updateHigh(high, (high.scaleFactor * HIGH_INV_QUANT[ihigh]!) >> 10, ihigh);
    updateLow(low, ilow >> 2);
    return (ihigh << 6) | ilow;
  }
}
