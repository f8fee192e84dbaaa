import type { TtsProvider } from './types.ts';

/** A piece of synthesised audio as it arrives: mono PCM16 at `sampleRate`. */
export interface TtsChunk {
  readonly pcm: Int16Array;
  readonly sampleRate: number;
}

/**
 * Text to speech that yields audio while it is still being made, so the first sentence of a reply
 * is heard before the last is synthesised. Failures are ProviderError with `retryable` set.
 */
export interface StreamingTts {
  readonly engine: string;
  stream(text: string, opts: { readonly signal: AbortSignal; readonly sampleRate?: number }): AsyncIterable<TtsChunk>;
  describe(): string;
}

/** A whole-utterance provider (espeak-ng) as a one-chunk stream: the cascade's local voice. */
export function streamingFromWhole(tts: TtsProvider): StreamingTts {
  return {
    engine: tts.engine,
    describe: () => tts.describe(),
    async *stream(text, opts) {
      const r = await tts.synthesize(text, { signal: opts.signal, ...(opts.sampleRate ? { sampleRate: opts.sampleRate } : {}) });
      if (!opts.signal.aborted) yield { pcm: r.pcm, sampleRate: r.sampleRate };
    },
  };
}
