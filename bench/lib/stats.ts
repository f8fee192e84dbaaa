import type { Spread } from '../types.ts';

/**
 * Order statistics for benchmark figures. Percentiles use linear interpolation between closest
 * ranks (the "R-7" / NumPy default), so p50 of an even-sized sample is the mean of the middle two.
 */

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} outside 0..100`);
  const sorted = [...values].sort((a, b) => a - b);
  return percentileSorted(sorted, p);
}

/** As `percentile`, for an already ascending array (no copy: large interval sets). */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = (p / 100) * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(n - 1, lo + 1);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (rank - lo);
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Median and spread of the finite values among `runs`; null median when there is none. */
export function summarize(runs: readonly number[]): { median: number | null; spread?: Spread; runs: number[] } {
  const ok = runs.filter((v) => Number.isFinite(v));
  if (ok.length === 0) return { median: null, runs: [...runs] };
  const sorted = [...ok].sort((a, b) => a - b);
  return {
    median: percentileSorted(sorted, 50),
    spread: {
      min: sorted[0] as number,
      max: sorted[sorted.length - 1] as number,
      p25: percentileSorted(sorted, 25),
      p75: percentileSorted(sorted, 75),
      n: sorted.length,
    },
    runs: [...runs],
  };
}

/** Rounds for display and JSON: 3 significant digits, integers kept whole. */
export function round(v: number, digits = 3): number {
  if (!Number.isFinite(v) || v === 0) return v;
  if (Math.abs(v) >= 10 ** digits) return Math.round(v);
  return Number(v.toPrecision(digits));
}
