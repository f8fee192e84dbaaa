/**
 * Speech to text for one caller utterance at a time. Audio goes in while the caller speaks; interim
 * transcripts come back through `onInterim`; `finish()` gives the final one. Failures are
 * ProviderError with `retryable` set.
 */
export interface SttUtterance {
  /** Caller audio, mono PCM16 at the rate given to `open()`. */
  push(pcm: Int16Array): void;
  /** Asks for a transcript of everything pushed so far (the caller paused). */
  requestInterim(): void;
  /** No more audio: resolves with the final transcript ('' when nothing was said). */
  finish(): Promise<string>;
  /** Drops the utterance; pending requests are aborted, `finish()` rejects. */
  abort(): void;
}

export interface SttOpenOptions {
  readonly sampleRate: number;
  readonly onInterim: (text: string) => void;
  /** Called when a background (interim) request failed; the final may still succeed. */
  readonly onError?: (err: Error) => void;
  /** Domain words of this call (the persona's), added to the provider's own for lexical biasing. */
  readonly vocabulary?: readonly string[];
}

export interface SttProvider {
  readonly name: string;
  open(opts: SttOpenOptions): SttUtterance;
  describe(): string;
}
