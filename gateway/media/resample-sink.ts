import { createResampler } from '../../codecs/index.ts';
import type { AudioFrame, Resampler } from '../../codecs/types.ts';
import type { AudioSink } from './audio-sink.ts';

/**
 * A pipeline stage that converts frames to the rate of the stage after it (livekit media-sdk's
 * resampling writer). Its `describe()` names the conversion, so a pipeline prints where rates were
 * bridged: `G722(decode@16000) → Resample(16000→8000) → Menu`.
 */
export class ResampleSink implements AudioSink {
  readonly #r: Resampler;
  readonly #next: AudioSink;
  #out: Int16Array;
  #timestamp = 0;

  constructor(resampler: Resampler, next: AudioSink) {
    this.#r = resampler;
    this.#next = next;
    this.#out = new Int16Array(resampler.outputLength(resampler.fromRate / 50));
  }

  write(frame: AudioFrame): void {
    const need = this.#r.outputLength(frame.samples.length);
    if (this.#out.length < need) this.#out = new Int16Array(need);
    const n = this.#r.process(frame.samples, this.#out);
    const samples = this.#out.subarray(0, n);
    this.#next.write({ samples, sampleRate: this.#r.toRate, timestamp: this.#timestamp, arrivalMs: frame.arrivalMs });
    this.#timestamp += n;
  }

  describe(): string {
    return `${this.#r.describe()} → ${this.#next.describe()}`;
  }
}

/**
 * `next` wrapped so it receives frames at `toRate` when they come at `fromRate`: the sink itself
 * when the rates agree, else a `ResampleSink` in front of it. The one place pipelines bridge rates.
 */
export function atRate(fromRate: number, toRate: number, next: AudioSink, make: (from: number, to: number) => Resampler = createResampler): AudioSink {
  return fromRate === toRate ? next : new ResampleSink(make(fromRate, toRate), next);
}
