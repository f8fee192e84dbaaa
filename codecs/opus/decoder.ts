/**
 * The Opus decoder of the media path (RFC 6716): libopus in WebAssembly (wasm-decoder.ts), mono at
 * the call's internal rate (16/24 kHz straight out of libopus, no 48 kHz hop; a stereo stream offered
 * as `opus/48000/2` is downmixed by the mono state).
 *
 * Why decoding left @discordjs/opus (which still encodes, codec.ts): its binding always calls
 * `opus_decode(..., decode_fec = 0)` and conceals with a 120 ms frame, so a lost packet could only be
 * concealed, never rebuilt from the in-band FEC the next packet carries. Here one libopus state does
 * all three — decode, FEC, concealment — so each continues from the others.
 */
import { CodecDataError } from '../errors.ts';
import type { CodecInfo, Decoder, LossRecovery } from '../types.ts';
import { opusHasLbrr, opusPacketInfo, type OpusMode } from './packet.ts';
import { MAX_OPUS_PACKET, WasmOpusDecoder } from './wasm-decoder.ts';

export class OpusDecoder implements Decoder {
  readonly #opus: WasmOpusDecoder;
  /** Duration of the last packet decoded, in samples: a lost packet is assumed to be as long. */
  #lastLength: number;
  /** Mode of the last packet decoded: libopus ignores FEC after a CELT-only packet (opus_decoder.c). */
  #lastMode: OpusMode | undefined;

  constructor(readonly info: CodecInfo) {
    this.#opus = new WasmOpusDecoder(info.sampleRate);
    this.#lastLength = info.sampleRate / 50;
  }

  /** Throws `CodecDataError` for an empty, corrupt or over-long packet; the caller conceals. */
  decodeInto(payload: Uint8Array, out: Int16Array): number {
    if (payload.length === 0 || payload.length > MAX_OPUS_PACKET) throw new CodecDataError('opus', 'size');
    const got = this.#opus.decode(payload);
    if (got < 0) throw new CodecDataError('opus', 'corrupt');
    const n = this.#copy(got, out);
    this.#lastLength = n;
    this.#lastMode = opusPacketInfo(payload)?.mode;
    if (n < got) throw new CodecDataError('opus', 'size', n);
    return n;
  }

  /** libopus packet-loss concealment (RFC 6716 §4.4) of one frame as long as the last packet. */
  concealInto(out: Int16Array): number {
    const n = Math.min(this.#lastLength, out.length);
    return this.#concealed(n, out).samples;
  }

  /**
   * The lost frame before `next`, from `next`'s in-band FEC (LBRR) data when it has some that libopus
   * will use — SILK or hybrid, not after a CELT-only packet, no longer than the lost frame — else
   * concealment (which libopus would also fall back to). Never throws.
   */
  recoverInto(next: Uint8Array, out: Int16Array): LossRecovery {
    const n = Math.min(this.#lastLength, out.length);
    const info = opusPacketInfo(next);
    const usable =
      info !== undefined && this.#lastMode !== 'celt' && (info.samplesPerFrame48k * this.info.sampleRate) / 48000 <= n && next.length <= MAX_OPUS_PACKET && opusHasLbrr(next);
    if (!usable) return this.#concealed(n, out);
    const got = this.#opus.decodeFec(next, n);
    if (got < 0) return this.#concealed(n, out);
    const written = this.#copy(got, out);
    out.fill(0, written, n);
    return { samples: n, method: 'fec' };
  }

  /** Frees the libopus state now (otherwise it is freed when this decoder is garbage-collected). */
  close(): void {
    this.#opus.close();
  }

  #concealed(n: number, out: Int16Array): LossRecovery {
    const got = this.#opus.conceal(n);
    const written = got > 0 ? this.#copy(got, out) : 0;
    out.fill(0, written, n);
    return { samples: n, method: 'plc' };
  }

  #copy(samples: number, out: Int16Array): number {
    const n = Math.min(samples, out.length);
    out.set(this.#opus.pcm(n));
    return n;
  }
}
