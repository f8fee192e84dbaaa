/** Test helpers: tones, RMS and a Hann-windowed Goertzel for tone/FFT checks (design §4.12). */

export function tone(rate: number, freq: number, seconds: number, amplitude: number): Int16Array {
  const n = Math.round(rate * seconds);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * freq * i) / rate));
  return out;
}

export function rms(x: ArrayLike<number>, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / (to - from));
}

/** Amplitude of the `freq` component (Hann window, amplitude-corrected). */
export function goertzel(x: ArrayLike<number>, rate: number, freq: number, from = 0, to = x.length): number {
  const n = to - from;
  const w = (2 * Math.PI * freq) / rate;
  let re = 0;
  let im = 0;
  for (let i = 0; i < n; i++) {
    const hann = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
    const v = x[from + i]! * hann;
    re += v * Math.cos(w * i);
    im -= v * Math.sin(w * i);
  }
  return (2 * Math.hypot(re, im)) / (n * 0.5);
}

export const db = (ratio: number): number => 20 * Math.log10(ratio);
