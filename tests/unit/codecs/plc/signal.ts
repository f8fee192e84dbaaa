/** Test signals for the PLC tests: a harmonic tone with an exact integer period. */
export function harmonic(period: number, length: number, amplitude = 8000): Int16Array {
  const x = new Int16Array(length);
  for (let i = 0; i < length; i++) {
    let v = 0;
    for (let h = 1; h <= 6; h++) v += Math.sin((2 * Math.PI * h * i) / period + h) / h;
    x[i] = Math.round(amplitude * v * 0.6);
  }
  return x;
}

export function rms(x: Int16Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / Math.max(1, x.length));
}

/** Largest |x[i+1] − x[i]| for i in [from, to). */
export function maxStep(x: Int16Array, from: number, to: number): number {
  let m = 0;
  for (let i = Math.max(0, from); i < Math.min(x.length - 1, to); i++) m = Math.max(m, Math.abs(x[i + 1]! - x[i]!));
  return m;
}
