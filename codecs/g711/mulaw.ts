/**
 * G.711 μ-law (ITU-T G.711 §2 / Table 2a), table driven.
 *
 * Why not the `g711` npm package: its per-sample `ulawFromPCM` works on the 16-bit value directly
 * (`BIAS - x` for negatives) instead of first reducing it to the 14-bit linear input G.711 defines,
 * so it differs from sox on 383 of the 65536 inputs, at values next to a decision level
 * (e.g. -31611 → 0x01, sox says 0x00); measured by comparing all 65536 inputs. Its decoder matches, but
 * we build both tables from the G.711 algorithm below (the classic Sun/CCITT form sox also uses)
 * so encoder and decoder share one source. tests/unit/codecs/g711 checks both against sox.
 *
 * Encode: G.711 μ-law takes 14-bit linear input. 16-bit PCM is reduced to 14 bits by rounding to
 * nearest (half up, clipped at +8191) — exactly what sox does (`SOX_SAMPLE_TO_SIGNED(14, …)`); the
 * G.191 reference truncates instead, which biases the signal by half a step. Both steps are folded
 * into one 65536-entry table indexed by the raw 16-bit pattern, so the hot loop is one look-up.
 * Decode: 256-entry table of 16-bit samples (the 14-bit value << 2).
 */
import { G711Decoder, G711Encoder, tableCodec } from './codec.ts';
import type { CodecInfo } from '../types.ts';

/** Largest 14-bit magnitude G.711 μ-law represents before the bias is added. */
const CLIP = 8159;
/** 0x84 >> 2: the μ-law bias in the 14-bit domain. */
const BIAS14 = 33;
/** Upper bound of each of the 8 segments, 14-bit biased magnitude. */
const SEG_END = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff] as const;

/** One 14-bit two's-complement sample (-8192..8191) → μ-law code word (bits inverted, §2). */
function linear14ToUlaw(value: number): number {
  let mag = value;
  let mask = 0xff;
  if (mag < 0) {
    mag = -mag;
    mask = 0x7f;
  }
  if (mag > CLIP) mag = CLIP;
  mag += BIAS14;
  let seg = 0;
  while (seg < 8 && mag > SEG_END[seg]!) seg++;
  if (seg >= 8) return 0x7f ^ mask;
  return ((seg << 4) | ((mag >> (seg + 1)) & 0x0f)) ^ mask;
}

/** μ-law code word → 16-bit linear sample (G.711 Table 2a decoder output, scaled by 4). */
function ulawToLinear16(code: number): number {
  const u = ~code & 0xff;
  let t = ((u & 0x0f) << 3) + 0x84;
  t <<= (u & 0x70) >> 4;
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

/** Indexed by `sample & 0xffff` (the 16-bit two's-complement pattern). */
const ENCODE = new Uint8Array(65536);
for (let x = -32768; x < 32768; x++) ENCODE[x & 0xffff] = linear14ToUlaw(Math.min((x + 2) >> 2, 8191));

const DECODE = new Int16Array(256);
for (let c = 0; c < 256; c++) DECODE[c] = ulawToLinear16(c);

/** Encodes/decodes `min(input, output)` samples with the tables above; no allocation per call. */
export const { encodeInto, decodeInto } = tableCodec(ENCODE, DECODE);

export class MulawEncoder extends G711Encoder {
  constructor(info: CodecInfo) {
    super(info, encodeInto);
  }
}

export class MulawDecoder extends G711Decoder {
  constructor(info: CodecInfo) {
    super(info, decodeInto);
  }
}
