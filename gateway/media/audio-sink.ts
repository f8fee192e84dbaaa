import type { AudioFrame } from '../../codecs/types.ts';

/**
 * A stage of a media pipeline. Pipelines are built by wrapping sinks (livekit media-sdk's Writer
 * chain): a decoder writes into a resampler which writes into a fan-out, and so on.
 */
export interface AudioSink {
  /** Synchronous and never blocks: a stage that cannot keep up drops the frame and counts it. */
  write(frame: AudioFrame): void;
  /** The pipeline from this stage on, e.g. `Resample(8000→16000) → FanOut[vad, stt]`. */
  describe(): string;
}

/** A sink that discards everything; the input of a leg before anything is connected. */
export const nullSink: AudioSink = {
  write(): void {},
  describe(): string {
    return 'Null';
  },
};

/** Delivers each frame to several sinks (a consumer that throws is isolated from the others). */
export class FanOut implements AudioSink {
  readonly #sinks: AudioSink[];
  constructor(sinks: AudioSink[]) {
    this.#sinks = sinks;
  }
  write(frame: AudioFrame): void {
    for (const s of this.#sinks) s.write(frame);
  }
  describe(): string {
    return `FanOut[${this.#sinks.map((s) => s.describe()).join(', ')}]`;
  }
}
