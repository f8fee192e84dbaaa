/**
 * Rational-ratio resampler: up by L, low-pass, down by M, computed as a polyphase FIR so that only
 * the taps that meet non-zero (real) input samples are evaluated and only kept outputs are computed.
 *
 *   input x[i] ──zero-stuff ×L──▶ h (designPrototype, at L·fromRate) ──keep every M-th──▶ y[n]
 *
 * Output n sits at upsampled time u = n·M; with i = ⌊u/L⌋ and phase p = u mod L,
 *   y[n] = Σ_k poly[p][k] · x[i − k],   poly[p][k] = h[p + k·L]
 *
 * State (history of the last K−1 input samples and the phase of the next output) carries across
 * `process` calls, so a stream cut into 20 ms frames gives bit-for-bit the same output as the whole
 * stream in one call: no clicks at frame boundaries. Coefficients and buffers are allocated once;
 * `process` allocates only if a caller hands in a longer input than ever before.
 */
import type { Resampler } from '../types.ts';
import { designPrototype } from './design.ts';

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

export class PolyphaseResampler implements Resampler {
  readonly delayMs: number;
  private readonly l: number;
  private readonly m: number;
  /** Taps per phase. */
  private readonly k: number;
  /** Phase-major coefficients: `poly[p * k + j]`. */
  private readonly poly: Float32Array;
  /** K−1 samples of history followed by the current input. */
  private buf: Float32Array;
  /** Upsampled-time position of the next output, relative to the start of the next input. */
  private t = 0;

  constructor(
    readonly fromRate: number,
    readonly toRate: number,
  ) {
    const g = gcd(fromRate, toRate);
    this.l = toRate / g;
    this.m = fromRate / g;
    const { taps, half } = designPrototype(fromRate, this.l, this.m);
    this.k = Math.ceil(taps.length / this.l);
    this.poly = new Float32Array(this.l * this.k);
    for (let p = 0; p < this.l; p++) {
      for (let j = 0; j < this.k; j++) this.poly[p * this.k + j] = taps[p + j * this.l] ?? 0;
    }
    this.delayMs = (half / (fromRate * this.l)) * 1000;
    this.buf = new Float32Array(this.k - 1 + samplesIn20ms(fromRate));
  }

  outputLength(inputLength: number): number {
    return Math.ceil((inputLength * this.l) / this.m);
  }

  /** `out` must hold `outputLength(input.length)` samples (a RangeError otherwise, state untouched). */
  process(input: Int16Array, out: Int16Array): number {
    const len = input.length;
    if (out.length < this.outputLength(len)) {
      throw new RangeError(`resampler output needs ${this.outputLength(len)} samples, got ${out.length}`);
    }
    const hist = this.k - 1;
    if (this.buf.length < hist + len) {
      const grown = new Float32Array(hist + len);
      grown.set(this.buf.subarray(0, hist));
      this.buf = grown;
    }
    const buf = this.buf;
    const poly = this.poly;
    const { k, l, m } = this;
    for (let i = 0; i < len; i++) buf[hist + i] = input[i]!;

    const limit = len * l;
    let t = this.t;
    let written = 0;
    while (t < limit) {
      const i = Math.floor(t / l);
      const off = (t - i * l) * k;
      const base = i + hist;
      let acc = 0;
      for (let j = 0; j < k; j++) acc += poly[off + j]! * buf[base - j]!;
      const s = Math.round(acc);
      out[written++] = s > 32767 ? 32767 : s < -32768 ? -32768 : s;
      t += m;
    }
    this.t = t - limit;
    buf.copyWithin(0, len, len + hist);
    return written;
  }

  describe(): string {
    return `Resample(${this.fromRate}→${this.toRate})`;
  }
}

function samplesIn20ms(rate: number): number {
  return Math.ceil(rate / 50);
}
