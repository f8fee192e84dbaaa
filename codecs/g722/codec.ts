/**
 * G.722 behind the codec interfaces. RFC 3551 §4.5.2: the RTP clock and the SDP rtpmap say 8000
 * although the audio is sampled at 16000, so a 20 ms packet carries 160 octets and 320 samples
 * while its RTP timestamp advances by 160 (`CodecInfo.clockRate` 8000, `sampleRate` 16000).
 */
import { CodecDataError } from '../errors.ts';
import type { CodecInfo, Decoder, Encoder } from '../types.ts';
import { G722DecoderCore } from './decoder.ts';
import { G722EncoderCore } from './encoder.ts';

export class G722Encoder implements Encoder {
  readonly #core = new G722EncoderCore();
  constructor(readonly info: CodecInfo) {}

  /** One octet per two samples; an odd trailing sample is encoded paired with itself (as ffmpeg does). */
  encodeInto(pcm: Int16Array, out: Uint8Array): number {
    return this.#core.encode(pcm, out);
  }
}

/**
 * Loss concealment writes silence of the last frame's length and leaves the ADPCM state alone:
 * the next packet then decodes against a slightly stale predictor, which the backward adaptation
 * pulls back within a few ms (G.722 Appendix III/IV PLC would do better for human listeners).
 */
export class G722Decoder implements Decoder {
  readonly #core = new G722DecoderCore();
  #lastLength = 320;
  constructor(readonly info: CodecInfo) {}

  /**
   * Any number of octets is valid G.722; an empty payload, or one too long for `out`, is a
   * `CodecDataError` (the caller counts it and conceals) after decoding what fits.
   */
  decodeInto(payload: Uint8Array, out: Int16Array): number {
    if (payload.length === 0) throw new CodecDataError('G722', 'size');
    const n = this.#core.decode(payload, out);
    this.#lastLength = n;
    if (payload.length * 2 > out.length) throw new CodecDataError('G722', 'size', n);
    return n;
  }

  concealInto(out: Int16Array): number {
    const n = Math.min(this.#lastLength, out.length);
    out.fill(0, 0, n);
    return n;
  }
}
