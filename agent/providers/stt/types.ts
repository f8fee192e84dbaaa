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
  /**
   * Everything recognised so far, including words of audio still being transcribed (unstable: it
   * may change). `onInterim` by contrast covers all the audio up to the last `requestInterim()`.
   */
  readonly onPartial?: (text: string) => void;
}

/** Options of a per-call recogniser session (`SttProvider.openCall`). */
export interface SttCallOptions {
  /** Rate of the caller audio the call's utterances will push. */
  readonly sampleRate: number;
  /** Domain words of this call (the persona's), known before the first utterance. */
  readonly vocabulary?: readonly string[];
}

/**
 * A recogniser bound to one call: one connection serves every utterance of the call (opened when
 * the call starts, so the first utterance pays no handshake). `close()` when the call ends.
 */
export interface SttCallSession extends SttProvider {
  close(): void;
}

export interface SttProvider {
  readonly name: string;
  open(opts: SttOpenOptions): SttUtterance;
  describe(): string;
  /** Optional: a session for one whole call (streaming recognisers with a connection per call). */
  openCall?(opts: SttCallOptions): SttCallSession;
}
