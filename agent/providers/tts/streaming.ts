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

/**
 * A remote voice with a local one behind it: when the primary fails before any audio of a sentence
 * came out (no key, network down, 5xx after retries), that sentence is spoken by the fallback
 * (espeak-ng) instead, so a reply is never silent for a TTS outage. A failure mid-sentence is
 * passed on: restarting the sentence in another voice would repeat what the caller already heard.
 */
export function withFallback(primary: StreamingTts, fallback: StreamingTts, onFallback?: (err: Error) => void): StreamingTts {
  return {
    engine: primary.engine,
    describe: () => `${primary.describe()} | fallback ${fallback.describe()}`,
    async *stream(text, opts) {
      let started = false;
      try {
        for await (const c of primary.stream(text, opts)) {
          started = true;
          yield c;
        }
      } catch (err) {
        if (started || opts.signal.aborted) throw err;
        onFallback?.(err as Error);
        yield* fallback.stream(text, opts);
      }
    },
  };
}
