/**
 * The adaptive state of one G.722 sub-band and its update after each code word: the pole-zero
 * predictor (ITU-T G.722 §3.6, blocks PARREC, UPPOL2, UPPOL1, UPZERO, FILTEP, FILTEZ, PREDIC) and
 * the quantizer scale-factor adaptation (§3.5, LOGSCL/SCALEL for the lower band, LOGSCH/SCALEH for
 * the higher band). Encoder and decoder run exactly this code, which is why they stay in lock step.
 *
 * Integer arithmetic follows the ITU reference (and ffmpeg's g722.c, our bit-exact oracle): every
 * product fits in 31 bits, and `>>` on a negative value is an arithmetic shift in both C and JS.
 */
import { HIGH_LOG_STEP, INV_LOG2, LOW_INV_QUANT4, LOW_LOG_STEP } from './tables.ts';

export class BandState {
  /** Predictor output SE (signal estimate). */
  sPredictor = 0;
  /** Zero-section output SZ. */
  sZero = 0;
  /** Signs of the two previous partially reconstructed signals P (1 = negative). */
  part0 = 0;
  part1 = 0;
  /** Previous reconstructed signal RLT/RHT (×2, clipped). */
  prevReconst = 0;
  /** Pole coefficients A1, A2. */
  pole0 = 0;
  pole1 = 0;
  /** Zero coefficients B1..B6 and the delayed difference signals D1..D6. */
  readonly zero = new Int32Array(6);
  readonly diff = new Int32Array(6);
  /** Log scale factor NBL/NBH and the linear scale factor DETL/DETH. */
  logFactor = 0;
  scaleFactor: number;

  constructor(scaleFactor: number) {
    this.scaleFactor = scaleFactor;
  }
}

const clip = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);
const clip16 = (v: number): number => (v < -32768 ? -32768 : v > 32767 ? 32767 : v);

/** §3.6: updates poles and zeros from the quantized difference `d`, then forms the next estimate. */
function adaptPredictor(b: BandState, d: number): void {
  const part = b.sZero + d < 0 ? 1 : 0;
  // ffmpeg's sign_lookup[cond] = cond ? 1 : -1 (the products of signs of §3.6 UPPOL1/UPPOL2, negated).
  const sg0 = part !== b.part0 ? 1 : -1;
  const sg1 = part === b.part1 ? 1 : -1;
  b.part1 = b.part0;
  b.part0 = part;

  // UPPOL2 then UPPOL1 (A2 first: A1's limit depends on the new A2).
  const pole1 = clip(((sg0 * clip(b.pole0, -8191, 8191)) >> 5) + sg1 * 128 + ((b.pole1 * 127) >> 7), -12288, 12288);
  const limit = 15360 - pole1;
  b.pole1 = pole1;
  b.pole0 = clip(-192 * sg0 + ((b.pole0 * 255) >> 8), -limit, limit);

  // UPZERO (sign-sign LMS with leakage) and FILTEZ on the shifted difference line.
  const zero = b.zero;
  const diff = b.diff;
  if (d !== 0) {
    for (let i = 0; i < 6; i++) zero[i] = ((zero[i]! * 255) >> 8) + ((diff[i]! ^ d) < 0 ? -128 : 128);
  } else {
    for (let i = 0; i < 6; i++) zero[i] = (zero[i]! * 255) >> 8;
  }
  diff[5] = diff[4]!;
  diff[4] = diff[3]!;
  diff[3] = diff[2]!;
  diff[2] = diff[1]!;
  diff[1] = diff[0]!;
  diff[0] = clip16(d * 2);
  let sz = 0;
  for (let i = 5; i >= 0; i--) sz += (zero[i]! * diff[i]!) >> 15;
  b.sZero = sz;

  // FILTEP + PREDIC.
  const reconst = clip16((b.sPredictor + d) * 2);
  b.sPredictor = clip16(sz + ((b.pole0 * reconst) >> 15) + ((b.pole1 * b.prevReconst) >> 15));
  b.prevReconst = reconst;
}

/** SCALEL/SCALEH: linear scale factor from the log one (already offset by the band's constant). */
function linearScale(logFactor: number): number {
  const wd1 = INV_LOG2[(logFactor >> 6) & 31]!;
  const shift = logFactor >> 11;
  return shift < 0 ? wd1 >> -shift : wd1 << shift;
}

/** Lower band after code word `ilow4` (the 6-bit code truncated to 4 bits, §3.3: the predictor sees 4 bits). */
export function updateLow(b: BandState, ilow4: number): void {
  adaptPredictor(b, (b.scaleFactor * LOW_INV_QUANT4[ilow4]!) >> 10);
  b.logFactor = clip(((b.logFactor * 127) >> 7) + LOW_LOG_STEP[ilow4]!, 0, 18432);
  b.scaleFactor = linearScale(b.logFactor - (8 << 11));
}

/** Higher band after code word `ihigh` with its dequantized difference `dhigh`. */
export function updateHigh(b: BandState, dhigh: number, ihigh: number): void {
  adaptPredictor(b, dhigh);
  b.logFactor = clip(((b.logFactor * 127) >> 7) + HIGH_LOG_STEP[ihigh & 1]!, 0, 22528);
  b.scaleFactor = linearScale(b.logFactor - (10 << 11));
}

/** Initial states, §3.1 reset: DETL = 32 and DETH = 8 in the ITU's units (8 and 2 here, ×1/4). */
export function initialLow(): BandState {
  return new BandState(8);
}

export function initialHigh(): BandState {
  return new BandState(2);
}
