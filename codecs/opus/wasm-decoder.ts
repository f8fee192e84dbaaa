/**
 * One libopus decoder state in the process-wide wasm instance (libopus-wasm.ts), with the three ways
 * of producing a frame that opus_decode offers, all on the SAME state so each continues the others:
 *
 *   decode(packet)               the packet's own audio
 *   decodeFec(next, frame)       the LOST frame before `next`, from `next`'s LBRR data (decode_fec = 1;
 *                                RFC 6716 §2.1.7); `frame` must be the lost frame's duration
 *   conceal(frame)               packet-loss concealment (data = NULL; RFC 6716 §4.4)
 *
 * Results land in a buffer inside wasm memory; `pcm()` views it until the next call. The state and
 * both buffers are allocated once, with fixed bounds, and freed by `close()` or, if the owner forgets,
 * by a FinalizationRegistry when the decoder is collected.
 */
import { libopus, OPUS_BUFFER_TOO_SMALL, OPUS_OK, type Libopus } from './libopus-wasm.ts';

/** Largest packet we hand to libopus: 48 frames of 1275 bytes would be legal, no RTP call sends more than an MTU. */
export const MAX_OPUS_PACKET = 4000;
/** RFC 6716 §3.4 R5: a packet holds at most 120 ms. */
const MAX_PACKET_MS = 120;

interface Allocation {
  state: number;
  packet: number;
  pcm: number;
}

const collector = new FinalizationRegistry<Allocation>((a) => release(a));

function release(a: Allocation): void {
  const { api } = libopus();
  for (const ptr of [a.state, a.packet, a.pcm]) if (ptr) api.free(ptr);
  a.state = a.packet = a.pcm = 0;
}

export class WasmOpusDecoder {
  readonly sampleRate: number;
  /** Samples in 120 ms: the most one call can produce. */
  readonly maxFrame: number;
  readonly #lib: Libopus;
  readonly #mem: Allocation;

  /** `sampleRate` is 8000, 12000, 16000, 24000 or 48000; output is mono (stereo packets are downmixed). */
  constructor(sampleRate: number) {
    this.#lib = libopus();
    const { api } = this.#lib;
    this.sampleRate = sampleRate;
    this.maxFrame = (sampleRate * MAX_PACKET_MS) / 1000;
    this.#mem = { state: api.malloc(api.opus_decoder_get_size(1)), packet: api.malloc(MAX_OPUS_PACKET), pcm: api.malloc(this.maxFrame * 2) };
    if (!this.#mem.state || !this.#mem.packet || !this.#mem.pcm) {
      release(this.#mem);
      throw new RangeError('libopus: out of wasm memory');
    }
    const rc = api.opus_decoder_init(this.#mem.state, sampleRate, 1);
    if (rc !== OPUS_OK) {
      release(this.#mem);
      throw new RangeError(`libopus: cannot decode at ${sampleRate} Hz (${rc})`);
    }
    collector.register(this, this.#mem, this);
  }

  /** Samples decoded, or a negative libopus error (OPUS_INVALID_PACKET, OPUS_BUFFER_TOO_SMALL …). */
  decode(packet: Uint8Array): number {
    if (packet.length === 0 || packet.length > MAX_OPUS_PACKET) return OPUS_BUFFER_TOO_SMALL;
    return this.#run(packet, this.maxFrame, 0);
  }

  /**
   * Rebuilds the lost frame of `frameSamples` from the LBRR data of `next` (the packet after it).
   * libopus falls back to concealment by itself when `next` has no LBRR, is CELT-only or is longer
   * than `frameSamples`. Negative when `next` cannot even be parsed (the caller conceals instead).
   */
  decodeFec(next: Uint8Array, frameSamples: number): number {
    if (next.length === 0 || next.length > MAX_OPUS_PACKET) return OPUS_BUFFER_TOO_SMALL;
    return this.#run(next, this.#bound(frameSamples), 1);
  }

  /** Concealment of `frameSamples` (libopus extrapolates, fading out over long losses). */
  conceal(frameSamples: number): number {
    this.#live();
    return this.#lib.api.opus_decode(this.#mem.state, 0, 0, this.#mem.pcm, this.#bound(frameSamples), 0);
  }

  /** The last result's samples: a view into wasm memory, valid until the next call. */
  pcm(samples: number): Int16Array {
    const at = this.#mem.pcm >> 1;
    return this.#lib.i16().subarray(at, at + Math.max(0, Math.min(samples, this.maxFrame)));
  }

  /** Frees the state now; any later call throws. */
  close(): void {
    collector.unregister(this);
    release(this.#mem);
  }

  #run(packet: Uint8Array, frameSize: number, fec: 0 | 1): number {
    this.#live();
    this.#lib.u8().set(packet, this.#mem.packet);
    return this.#lib.api.opus_decode(this.#mem.state, this.#mem.packet, packet.length, this.#mem.pcm, frameSize, fec);
  }

  /** opus_decode wants whole 2.5 ms steps (opus_decoder.c); clamp into 2.5 … 120 ms. */
  #bound(samples: number): number {
    const step = this.sampleRate / 400;
    return Math.min(this.maxFrame, Math.max(step, Math.floor(samples / step) * step));
  }

  #live(): void {
    if (!this.#mem.state) throw new Error('opus decoder used after close()');
  }
}
