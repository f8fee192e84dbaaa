/**
 * G.722 behind the codec interfaces. RFC 3551 §4.5.2: the RTP clock and the SDP rtpmap say 8000
 * although the audio is sampled at 16000, so a 20 ms packet carries 160 octets and 320 samples
 * while its RTP timestamp advances by 160 (`CodecInfo.clockRate` 8000, `sampleRate` 16000).
 */
import { CodecDataError } from '../errors.ts';
import { G711AppendixIConcealer } from '../plc/g711-appendix-i.ts';
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
 * Loss concealment: G.722 Appendices III/IV conceal inside the sub-band ADPCM (and re-converge its
 * state), at several times the cost and size. We run the G.711 Appendix I waveform substitution
 * (codecs/plc) on the 16 kHz output instead, its constants doubled for the rate: the same pitch
 * range and durations, far better than silence for listeners and for VAD/STT. The ADPCM state is
 * left alone; the next packet decodes against a slightly stale predictor, which the backward
 * adaptation pulls back within a few ms, and the recovery overlap-add hides that transient.
 */
export class G722Decoder implements Decoder {
  readonly #core = new G722DecoderCore();
  readonly #plc = new G711AppendixIConcealer(16000);
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
    this.#plc.good(out.subarray(0, n));
    if (payload.length * 2 > out.length) throw new CodecDataError('G722', 'size', n);
    return n;
  }

  concealInto(out: Int16Array): number {
    const n = Math.min(this.#lastLength, out.length);
    this.#plc.conceal(out.subarray(0, n));
    return n;
  }
}
