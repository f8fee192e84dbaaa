/**
 * G.711 A-law (ITU-T G.711 §3 / Table 1a), table driven.
 *
 * Why not the `g711` npm package: its per-sample `alawFromPCM` works on the 16-bit value directly
 * (`-x - 8` for negatives) instead of first reducing it to the 13-bit linear input G.711 defines,
 * so it differs from sox on 896 of the 65536 inputs, at values next to a decision level
 * (e.g. -31751 → 0x2b, sox says 0x2a); measured by comparing all 65536 inputs. Its decoder matches, but we build
 * both tables from the G.711 algorithm below (the Sun/CCITT form sox also uses) so encoder and
 * decoder share one source. tests/unit/codecs/g711 checks both against sox.
 *
 * Encode: G.711 A-law takes 13-bit linear input. 16-bit PCM is reduced to 13 bits by rounding to
 * nearest (half up, clipped at +4095) — exactly what sox does (`SOX_SAMPLE_TO_SIGNED(13, …)`); the
 * G.191 reference truncates instead. Both steps are folded into one 65536-entry table indexed by the
 * raw 16-bit pattern, so the hot loop is one look-up.
 * Decode: 256-entry table of 16-bit samples (the 13-bit value << 3).
 * A-law inverts the even bits of the code word (XOR 0x55, G.711 §3 note).
 */
import { G711Decoder, G711Encoder, tableCodec } from './codec.ts';
import type { CodecInfo } from '../types.ts';

/** Upper bound of each of the 8 segments, 13-bit magnitude. */
const SEG_END = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff] as const;

/** One 13-bit two's-complement sample (-4096..4095) → A-law code word. */
function linear13ToAlaw(value: number): number {
  let mag = value;
  let mask = 0xd5; // sign bit set for positive values, even bits inverted
  if (mag < 0) {
    mask = 0x55;
    mag = -mag - 1; // one's complement: -1 → 0, so both signs use the same decision levels
  }
  let seg = 0;
  while (seg < 8 && mag > SEG_END[seg]!) seg++;
  if (seg >= 8) return 0x7f ^ mask;
  const quant = seg < 2 ? (mag >> 1) & 0x0f : (mag >> seg) & 0x0f;
  return ((seg << 4) | quant) ^ mask;
}

/** A-law code word → 16-bit linear sample (G.711 Table 1a decoder output, scaled by 8). */
function alawToLinear16(code: number): number {
  const a = code ^ 0x55;
  let t = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) t += 8;
  else t = (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}

/** Indexed by `sample & 0xffff` (the 16-bit two's-complement pattern). */
const ENCODE = new Uint8Array(65536);
for (let x = -32768; x < 32768; x++) ENCODE[x & 0xffff] = linear13ToAlaw(Math.min((x + 4) >> 3, 4095));

const DECODE = new Int16Array(256);
for (let c = 0; c < 256; c++) DECODE[c] = alawToLinear16(c);

/** Encodes/decodes `min(input, output)` samples with the tables above; no allocation per call. */
export const { encodeInto, decodeInto } = tableCodec(ENCODE, DECODE);

export class AlawEncoder extends G711Encoder {
  constructor(info: CodecInfo) {
    super(info, encodeInto);
  }
}

export class AlawDecoder extends G711Decoder {
  constructor(info: CodecInfo) {
    super(info, decodeInto);
  }
}
