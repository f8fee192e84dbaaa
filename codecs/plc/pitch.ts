/**
 * Pitch detection of G.711 Appendix I PLC: the period is the lag, between PITCH_MIN and PITCH_MAX,
 * whose window best matches the newest CORRLEN samples by normalised cross-correlation
 * (corr / √energy of the lagged window). A coarse search on every NDEC-th sample and lag, then a
 * fine search of every lag within NDEC−1 of the coarse winner, so a 20 ms window costs a few
 * thousand multiply-adds at 8 kHz. Ties go to the shorter lag, as in the Appendix.
 */
import type { PlcParams } from './params.ts';

/** Σ a[i]·b[i] and Σ b[i]² over `len` samples with stride `step`, from offsets `ai` and `bi`. */
function corrAt(buf: Float32Array, ai: number, bi: number, len: number, step: number): number {
  let c = 0;
  for (let i = 0; i < len; i += step) c += buf[ai + i]! * buf[bi + i]!;
  return c;
}

function energyAt(buf: Float32Array, start: number, len: number, step: number): number {
  let e = 0;
  for (let i = 0; i < len; i += step) e += buf[start + i]! * buf[start + i]!;
  return e;
}

/**
 * Pitch period in samples of the signal ending at `buf[end - 1]`; `buf` must hold at least
 * `corrLen + pitchMax` samples before `end`. Pure: reads `buf` only.
 */
export function findPitch(buf: Float32Array, end: number, p: PlcParams): number {
  const l = end - p.corrLen; // the newest window
  const r0 = end - p.corrLen - p.pitchMax; // the window PITCH_MAX back; lag = pitchMax - j
  const diff = p.pitchMax - p.pitchMin;
  const step = p.decimation;
  const score = (corr: number, energy: number): number => corr / Math.sqrt(Math.max(energy, p.corrMinPower));

  // Coarse: every `step`-th lag over every `step`-th sample; the energy slides instead of re-summing.
  let energy = energyAt(buf, r0, p.corrLen, step);
  let best = score(corrAt(buf, l, r0, p.corrLen, step), energy);
  let bestJ = 0;
  for (let j = step; j <= diff; j += step) {
    const out = buf[r0 + j - step]!;
    const inn = buf[r0 + j - step + p.corrLen]!;
    energy += inn * inn - out * out;
    const s = score(corrAt(buf, l, r0 + j, p.corrLen, step), energy);
    if (s >= best) {
      best = s;
      bestJ = j;
    }
  }

  // Fine: every lag and every sample around the coarse winner.
  const j0 = Math.max(0, bestJ - (step - 1));
  const j1 = Math.min(diff, bestJ + (step - 1));
  energy = energyAt(buf, r0 + j0, p.corrLen, 1);
  best = score(corrAt(buf, l, r0 + j0, p.corrLen, 1), energy);
  bestJ = j0;
  for (let j = j0 + 1; j <= j1; j++) {
    const out = buf[r0 + j - 1]!;
    const inn = buf[r0 + j - 1 + p.corrLen]!;
    energy += inn * inn - out * out;
    const s = score(corrAt(buf, l, r0 + j, p.corrLen, 1), energy);
    if (s >= best) {
      best = s;
      bestJ = j;
    }
  }
  return p.pitchMax - bestJ;
}
