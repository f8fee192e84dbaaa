/**
 * G.722 decoder at 64 kbit/s (mode 1), ITU-T G.722 §4: split each octet into IH (2 bits) and IL
 * (6 bits), inverse-quantize both sub-bands, adapt (same `band.ts` as the encoder), and merge with
 * the receive QMF into two 16 kHz samples. Bit-exact with ffmpeg's `g722` decoder.
 */
import { initialHigh, initialLow, updateHigh, updateLow } from './band.ts';
import { QmfHistory } from './qmf.ts';
import { HIGH_INV_QUANT, LOW_INV_QUANT6 } from './tables.ts';

const clip16 = (v: number): number => (v < -32768 ? -32768 : v > 32767 ? 32767 : v);
const clip14 = (v: number): number => (v < -16384 ? -16384 : v > 16383 ? 16383 : v);

export class G722DecoderCore {
  readonly #low = initialLow();
  readonly #high = initialHigh();
  readonly #qmf = new QmfHistory();

  /** Decodes octets into `out`: two samples each, bounded by `out.length`. Returns samples written. */
  decode(payload: Uint8Array, out: Int16Array): number {
    const n = Math.min(payload.length, out.length >> 1);
    const low = this.#low;
    const high = this.#high;
    const q = this.#qmf;
    for (let j = 0; j < n; j++) {
      const code = payload[j]!;
      const ihigh = code >> 6;
      const ilow = code & 63;
      const rlow = clip14(((low.scaleFactor * LOW_INV_QUANT6[ilow]!) >> 10) + low.sPredictor);
      updateLow(low, ilow >> 2);
      const dhigh = (high.scaleFactor * HIGH_INV_QUANT[ihigh]!) >> 10;
      const rhigh = clip14(dhigh + high.sPredictor);
      updateHigh(high, dhigh, ihigh);
      q.push(rlow + rhigh, rlow - rhigh);
      out[2 * j] = clip16(q.odd >> 11);
      out[2 * j + 1] = clip16(q.even >> 11);
    }
    return 2 * n;
  }
}
