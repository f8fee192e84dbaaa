/**
 * Encoder/Decoder classes shared by μ-law and A-law: both are sample-by-sample table look-ups, so
 * the only difference is which tables they use. One encoded byte per PCM sample at 8000 Hz.
 */
import { G711AppendixIConcealer } from '../plc/g711-appendix-i.ts';
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
 * A lost frame is concealed by ITU-T G.711 Appendix I (codecs/plc/g711-appendix-i.ts): the last
 * pitch period repeated, attenuated after 10 ms, silent after 60 ms, and overlap-added into the next
 * good frame. Silence instead clicks for listeners and cuts holes in speech that VAD and STT then
 * mis-hear. The same length as the last decoded frame is produced (160 samples before any frame,
 * when the concealment is silence). Good frames are decoded bit-exact (the concealer only copies
 * them into its history) except the first after a loss, whose start is cross-faded.
 */
export class G711Decoder implements Decoder {
  private lastLength = 160;
  private readonly plc = new G711AppendixIConcealer(8000);

  constructor(
    readonly info: CodecInfo,
    private readonly decode: DecodeFn,
  ) {}

  decodeInto(payload: Uint8Array, out: Int16Array): number {
    const n = this.decode(payload, out);
    if (n > 0) {
      this.lastLength = n;
      this.plc.good(out.subarray(0, n));
    }
    return n;
  }

  concealInto(out: Int16Array): number {
    const n = Math.min(this.lastLength, out.length);
    this.plc.conceal(out.subarray(0, n));
    return n;
  }
}
