/**
 * G.722 encoder at 64 kbit/s (mode 1), ITU-T G.722 §3: transmit QMF → lower sub-band 6-bit ADPCM
 * and higher sub-band 2-bit ADPCM → one octet per pair of 16 kHz samples, `IH` in the two most
 * significant bits and `IL` in the six least (§3.7 multiplexer: I = IH·64 + IL). The work is in
 * adpcm.ts (shared with the decoder); the state carries across calls, so a stream cut into 20 ms
 * frames encodes exactly as the whole stream would.
 *
 * Bit-exact with ffmpeg's `g722` encoder (no trellis) — tests/unit/codecs/g722 checks it against
 * the ffmpeg binary. An odd trailing sample is encoded as a pair of itself, as ffmpeg does for a
 * last frame of odd length.
 */
import { runAdpcm } from './adpcm.ts';
import { initialState } from './state.ts';

export class G722EncoderCore {
  readonly #state = initialState();

  /** Encodes `pcm` (16 kHz) into `out`: ⌈pcm.length / 2⌉ octets (bounded by `out.length`). Returns octets written. */
  encode(pcm: Int16Array, out: Uint8Array): number {
    const pairs = Math.min((pcm.length + 1) >> 1, out.length);
    runAdpcm(this.#state, true, pcm, out, pairs);
    return pairs;
  }
}
