import type { AudioFrame, Resampler } from '../../codecs/types.ts';
import type { AudioSink } from '../../gateway/media/audio-sink.ts';

/**
 * Caller audio → the model: resamples each 20 ms frame from the leg's rate to the model's (a
 * Passthrough when equal, e.g. G.711 passed through at 8 kHz) and hands it on. Synchronous; the
 * output buffer is reused, so the consumer must copy or encode before returning.
 */
export class ModelInputSink implements AudioSink {
  readonly #resampler: Resampler;
  readonly #push: (pcm: Int16Array) => void;
  #buf = new Int16Array(0);
  /** Samples handed on at the model's rate. */
  samples = 0;

  constructor(resampler: Resampler, push: (pcm: Int16Array) => void) {
    this.#resampler = resampler;
    this.#push = push;
  }

  write(frame: AudioFrame): void {
    const need = this.#resampler.outputLength(frame.samples.length);
    if (this.#buf.length < need) this.#buf = new Int16Array(need);
    const n = this.#resampler.process(frame.samples, this.#buf);
    this.samples += n;
    this.#push(this.#buf.subarray(0, n));
  }

  describe(): string {
    return `${this.#resampler.describe()} → S2S(${this.#resampler.toRate})`;
  }
}
