/**
 * G.722 decoder at 64 kbit/s (mode 1), ITU-T G.722 §4: split each octet into IH (2 bits) and IL
 * (6 bits), inverse-quantize both sub-bands, adapt (the same adpcm.ts loop as the encoder), and
 * merge with the receive QMF into two 16 kHz samples. Bit-exact with ffmpeg's `g722` decoder.
 */
import { runAdpcm } from './adpcm.ts';
import { initialState } from './state.ts';

export class G722DecoderCore {
  readonly #state = initialState();

  /** Decodes octets into `out`: two samples each, bounded by `out.length`. Returns samples written. */
  decode(payload: Uint8Array, out: Int16Array): number {
    const pairs = Math.min(payload.length, out.length >> 1);
    runAdpcm(this.#state, false, out, payload, pairs);
    return 2 * pairs;
  }
}
