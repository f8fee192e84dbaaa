/** The resampler for equal rates: a copy, zero delay, so pipelines can always insert one. */
import type { Resampler } from '../types.ts';

export class Passthrough implements Resampler {
  readonly delayMs = 0;

  constructor(readonly fromRate: number) {}

  get toRate(): number {
    return this.fromRate;
  }

  outputLength(inputLength: number): number {
    return inputLength;
  }

  process(input: Int16Array, out: Int16Array): number {
    const n = Math.min(input.length, out.length);
    out.set(n === input.length ? input : input.subarray(0, n));
    return n;
  }

  describe(): string {
    return `Passthrough(${this.fromRate})`;
  }
}
