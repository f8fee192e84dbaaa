/**
 * Encoder/Decoder classes shared by μ-law and A-law: both are sample-by-sample table look-ups, so
 * the only difference is which tables they use. One encoded byte per PCM sample at 8000 Hz.
 */
import type { CodecInfo, Decoder, Encoder } from '../types.ts';

/** Writes `min(pcm.length, out.length)` code words; returns how many. */
export type EncodeFn = (pcm: Int16Array, out: Uint8Array) => number;
/** Writes `min(payload.length, out.length)` samples; returns how many. */
export type DecodeFn = (payload: Uint8Array, out: Int16Array) => number;

/**
 * The sample loops both laws share: a 65536-entry table indexed by the 16-bit pattern to encode, a
 * 256-entry table to decode. Writes into caller-owned buffers.
 */
export function tableCodec(encodeTable: Uint8Array, decodeTable: Int16Array): { encodeInto: EncodeFn; decodeInto: DecodeFn } {
  return {
    encodeInto(pcm, out) {
      const n = Math.min(pcm.length, out.length);
      for (let i = 0; i < n; i++) out[i] = encodeTable[pcm[i]! & 0xffff]!;
      return n;
    },
    decodeInto(payload, out) {
      const n = Math.min(payload.length, out.length);
      for (let i = 0; i < n; i++) out[i] = decodeTable[payload[i]!]!;
      return n;
    },
  };
}

export class G711Encoder implements Encoder {
  constructor(
    readonly info: CodecInfo,
    private readonly encode: EncodeFn,
  ) {}

  encodeInto(pcm: Int16Array, out: Uint8Array): number {
    return this.encode(pcm, out);
  }
}

/**
 * Packet-loss concealment is deliberately minimal: a lost frame is replaced by silence of the same
 * length as the last decoded frame (20 ms = 160 samples before any frame arrived). G.711 Appendix I
 * PLC (pitch-period repetition) is better for listeners, but our consumers are VAD/STT, for which
 * a short gap of digital silence is harmless and never invents speech.
 */
export class G711Decoder implements Decoder {
  private lastLength = 160;

  constructor(
    readonly info: CodecInfo,
    private readonly decode: DecodeFn,
  ) {}

  decodeInto(payload: Uint8Array, out: Int16Array): number {
    const n = this.decode(payload, out);
    if (n > 0) this.lastLength = n;
    return n;
  }

  concealInto(out: Int16Array): number {
    const n = Math.min(this.lastLength, out.length);
    out.fill(0, 0, n);
    return n;
  }
}
