/**
 * Voice activity detection. A `Vad` is shared by all calls (one model, batched inference); each call
 * opens a `VadStream` that keeps its own model state and gets one probability per chunk.
 */
export interface VadChunkResult {
  /** Speech probability of the chunk, 0..1. */
  readonly probability: number;
  /** Samples of this stream consumed up to the end of the chunk (media time of the decision). */
  readonly endSample: number;
}

export interface VadStream {
  readonly sampleRate: number;
  /** Samples per decision (256 at 8 kHz, 512 at 16 kHz for Silero v5). */
  readonly chunkSamples: number;
  /** Appends PCM16 at `sampleRate`; results arrive through `onResult` as chunks are scored. */
  push(pcm: Int16Array): void;
  close(): void;
}

export interface Vad {
  readonly name: string;
  /** Opens a stream at 8000 or 16000 Hz. */
  open(sampleRate: number, onResult: (r: VadChunkResult) => void): VadStream;
  close(): Promise<void>;
}
