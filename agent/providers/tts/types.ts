/** Options of one synthesis; a provider ignores what it cannot honour and says so in `describe()`. */
export interface TtsOptions {
  /** Rate of the PCM wanted back, e.g. the media leg's rate; the provider's native rate when absent. */
  readonly sampleRate?: number;
  /** Provider-specific voice name; the provider's configured default when absent. */
  readonly voice?: string;
  /** Speaking-rate factor, 1 = normal. */
  readonly speed?: number;
  readonly signal?: AbortSignal;
}

export interface TtsResult {
  /** Mono PCM16. Shared with a cache: callers must not modify it. */
  readonly pcm: Int16Array;
  readonly sampleRate: number;
}

/**
 * Text to speech, whole-utterance. The local menu uses espeak-ng; AI providers (streaming ones too)
 * implement this for prompts and add their own streaming interface beside it. Failures are
 * ProviderError with `retryable` set.
 */
export interface TtsProvider {
  /** Short engine name used as a metric label, e.g. "espeak". */
  readonly engine: string;
  synthesize(text: string, opts?: TtsOptions): Promise<TtsResult>;
  /** E.g. `espeak-ng(en-us, x1.0) → Resample(22050→8000)`. */
  describe(): string;
}
