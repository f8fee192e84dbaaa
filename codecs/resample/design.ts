/**
 * Low-pass prototype for the polyphase resampler: a Kaiser-windowed sinc (Kaiser & Schafer; design
 * formulas from Oppenheim & Schafer, "Discrete-Time Signal Processing", §7.5.3).
 *
 * The filter runs at the upsampled rate `L * fromRate`. Its passband is flat to 0.9 × the lower
 * rate's Nyquist and its stopband starts at that Nyquist, so on downsampling everything that would
 * alias is ≥ `ATTENUATION_DB` down, and on upsampling the spectral images are removed as well.
 */

/** Stopband attenuation the design targets; 70 dB leaves margin over the 60 dB we promise. */
export const ATTENUATION_DB = 70;
/** Passband edge as a fraction of the lower rate's Nyquist frequency. */
export const PASSBAND_FRACTION = 0.9;

export interface PrototypeFilter {
  /** Coefficients, odd length `2 * half + 1`, symmetric (linear phase). */
  readonly taps: Float64Array;
  /** Group delay in samples at the upsampled rate; a multiple of both L and M. */
  readonly half: number;
}

/** Zeroth-order modified Bessel function of the first kind, by its power series. */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 64; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

/**
 * Designs the prototype for up-by-`l`, down-by-`m` (coprime) from `fromRate`. Gain is `l` so the
 * zero-stuffed upsampled signal keeps its level.
 */
export function designPrototype(fromRate: number, l: number, m: number): PrototypeFilter {
  const upRate = fromRate * l;
  const lowNyquist = Math.min(fromRate, (fromRate * l) / m) / 2;
  const passEdge = PASSBAND_FRACTION * lowNyquist;
  const stopEdge = lowNyquist;
  const cutoff = (passEdge + stopEdge) / 2 / upRate; // cycles per upsampled sample
  const deltaOmega = (2 * Math.PI * (stopEdge - passEdge)) / upRate;
  const beta = 0.1102 * (ATTENUATION_DB - 8.7);
  const order = Math.ceil((ATTENUATION_DB - 7.95) / (2.285 * deltaOmega));
  // Round the half-length up to a multiple of l*m: the delay is then a whole number of input and of
  // output samples, so `delayMs` is exact and an impulse lands on one output sample.
  const step = l * m;
  const half = Math.ceil(order / 2 / step) * step;
  const taps = new Float64Array(2 * half + 1);
  const i0Beta = besselI0(beta);
  for (let n = 0; n <= 2 * half; n++) {
    const k = n - half;
    const sinc = k === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * k) / (Math.PI * k);
    const r = k / half;
    const window = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta;
    taps[n] = l * sinc * window;
  }
  return { taps, half };
}
