import { ProviderError } from '../../../gateway/errors.ts';
import { metrics } from '../../../gateway/metrics.ts';
import { MIN_COMMIT_MS } from './openai-realtime-wire.ts';
import { bytesPerMs, type RealtimeAudioEncoder } from './realtime-audio.ts';
import { UtteranceTranscript } from './transcript-items.ts';
import type { SttOpenOptions, SttUtterance } from './types.ts';

/** What an utterance needs from its call's session (realtime-call.ts). */
export interface UtterancePort {
  readonly provider: string;
  /** Appends wire bytes to the input buffer; false when there is no session to send them to. */
  append(bytes: Buffer): boolean;
  /** Commits the input buffer for `u`; false when there is no session. */
  commit(u: RealtimeUtterance): boolean;
  /** Drops the uncommitted input buffer (audio we decided not to transcribe). */
  clear(): void;
  /** `u` needs no more server events. */
  release(u: RealtimeUtterance): void;
}

export interface RealtimeUtteranceLimits {
  readonly maxUtteranceMs: number;
  readonly finalTimeoutMs: number;
}

/**
 * Below this RMS (about −44 dBFS) a 20 ms chunk is line noise, not speech. The audio after the last
 * pause commit is the endpointing silence; committing it would cost a round trip at the very moment
 * the final is wanted, and a recogniser asked to transcribe silence may invent words ("Thank you.").
 */
const SPEECH_RMS = 200;

/**
 * One caller utterance on the call's transcription session. Audio is appended as it is pushed; a
 * pause commits what was said so far (one item), `finish()` commits the rest unless it is silence;
 * the final transcript is the completed items' texts in commit order.
 */
export class RealtimeUtterance implements SttUtterance {
  readonly transcript = new UtteranceTranscript();
  readonly #port: UtterancePort;
  readonly #o: SttOpenOptions;
  readonly #enc: RealtimeAudioEncoder;
  readonly #limits: RealtimeUtteranceLimits;
  readonly #bytesPerMs: number;
  #sentMs = 0;
  #uncommitted = 0;
  #tailSpeech = false;
  #state: 'open' | 'finishing' | 'done' = 'open';
  #error: ProviderError | undefined;
  #waiter: { resolve: (t: string) => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | undefined;
  #lastInterim: string | undefined;
  #lastPartial = '';

  constructor(port: UtterancePort, o: SttOpenOptions, enc: RealtimeAudioEncoder, limits: RealtimeUtteranceLimits) {
    this.#port = port;
    this.#o = o;
    this.#enc = enc;
    this.#limits = limits;
    this.#bytesPerMs = bytesPerMs(enc.format);
  }

  get isOpen(): boolean {
    return this.#state === 'open';
  }

  push(pcm: Int16Array): void {
    if (this.#state !== 'open' || this.#error || pcm.length === 0) return;
    if (this.#sentMs >= this.#limits.maxUtteranceMs) {
      metrics.cascadeSttAudioDropped.inc({ reason: 'too-long' });
      return;
    }
    const bytes = this.#enc.encode(pcm);
    if (bytes.length === 0) return;
    if (!this.#port.append(bytes)) {
      metrics.cascadeSttAudioDropped.inc({ reason: 'no-session' });
      return;
    }
    this.#sentMs += bytes.length / this.#bytesPerMs;
    this.#uncommitted += bytes.length;
    if (!this.#tailSpeech && rms(pcm) >= SPEECH_RMS) this.#tailSpeech = true;
  }

  requestInterim(): void {
    if (this.#state !== 'open' || this.#error) return;
    if (this.#uncommittedMs >= MIN_COMMIT_MS) {
      this.#commit('interim');
      return;
    }
    // Nothing new worth a commit: what is already transcribed covers this pause.
    if (this.transcript.settled && this.transcript.items > 0) this.#o.onInterim(this.transcript.text);
  }

  finish(): Promise<string> {
    if (this.#state !== 'open') return Promise.reject(this.#error ?? new ProviderError(this.#port.provider, 'utterance already finished', false));
    this.#state = 'finishing';
    if (this.#error) return this.#fail(this.#error);
    const committedBefore = this.transcript.items > 0 || !this.transcript.settled;
    if (this.#uncommittedMs >= MIN_COMMIT_MS && (!committedBefore || this.#tailSpeech)) this.#commit('final');
    else if (this.#uncommitted > 0) {
      metrics.cascadeSttCommits.inc({ kind: 'skipped-silence' });
      this.#port.clear();
      this.#uncommitted = 0;
    }
    if (this.#error) return this.#fail(this.#error);
    if (this.transcript.settled) return this.#settle();
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => this.lost(new ProviderError(this.#port.provider, `no final transcript within ${this.#limits.finalTimeoutMs} ms`, true)), this.#limits.finalTimeoutMs);
      this.#waiter = { resolve, reject, timer };
    });
  }

  abort(): void {
    if (this.#state === 'done') return;
    const wasOpen = this.#state === 'open';
    this.#state = 'done';
    if (wasOpen && this.#uncommitted > 0) this.#port.clear();
    this.#error ??= new ProviderError(this.#port.provider, 'utterance aborted', false);
    this.#rejectWaiter(this.#error);
    this.#port.release(this);
  }

  // ——— server events, routed here by the call's session ———

  committed(itemId: string): void {
    this.transcript.committed(itemId);
  }

  commitRefused(): void {
    metrics.cascadeSttCommits.inc({ kind: 'refused' });
    this.transcript.commitRefused();
    this.#progress(false);
  }

  delta(itemId: string, d: string): void {
    if (this.transcript.delta(itemId, d)) this.#progress(true);
  }

  completed(itemId: string, text: string): void {
    this.transcript.completed(itemId, text);
    this.#progress(true);
  }

  failed(itemId: string, code: string): void {
    this.transcript.failed(itemId, code);
    this.#progress(false);
  }

  /** The session is gone (socket dropped, connect failed, timeout): this utterance cannot finish. */
  lost(err: ProviderError): void {
    if (this.#state === 'done') return;
    this.#error ??= err;
    if (this.#state === 'finishing') {
      this.#state = 'done';
      this.#rejectWaiter(err);
      this.#port.release(this);
    } else this.#o.onError?.(err);
  }

  /** A server error that does not end the utterance. */
  warn(err: ProviderError): void {
    if (this.#state === 'open') this.#o.onError?.(err);
  }

  get #uncommittedMs(): number {
    return this.#uncommitted / this.#bytesPerMs;
  }

  #commit(kind: 'interim' | 'final'): void {
    this.transcript.commitSent();
    this.#uncommitted = 0;
    this.#tailSpeech = false;
    if (!this.#port.commit(this)) {
      this.transcript.commitRefused();
      return this.lost(new ProviderError(this.#port.provider, 'no transcription session', true));
    }
    metrics.cascadeSttCommits.inc({ kind });
  }

  #progress(textChanged: boolean): void {
    const t = this.transcript;
    if (textChanged && t.text !== this.#lastPartial) {
      this.#lastPartial = t.text;
      if (this.#state === 'open') this.#o.onPartial?.(t.text);
    }
    if (!t.settled) return;
    if (this.#state === 'open') {
      if (t.items > 0 && t.text !== this.#lastInterim) {
        this.#lastInterim = t.text;
        this.#o.onInterim(t.text);
      }
      if (t.failure) this.#o.onError?.(new ProviderError(this.#port.provider, `transcription failed: ${t.failure}`, true));
    } else if (this.#state === 'finishing' && this.#waiter) {
      const w = this.#waiter;
      this.#waiter = undefined;
      clearTimeout(w.timer);
      this.#settle().then(w.resolve, w.reject);
    }
  }

  #settle(): Promise<string> {
    this.#state = 'done';
    this.#port.release(this);
    const failure = this.transcript.failure;
    if (failure) return Promise.reject(new ProviderError(this.#port.provider, `transcription failed: ${failure}`, true));
    return Promise.resolve(this.transcript.text);
  }

  #fail(err: ProviderError): Promise<string> {
    this.#state = 'done';
    this.#port.release(this);
    return Promise.reject(err);
  }

  #rejectWaiter(err: Error): void {
    const w = this.#waiter;
    this.#waiter = undefined;
    if (!w) return;
    clearTimeout(w.timer);
    w.reject(err);
  }
}

function rms(x: Int16Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / x.length);
}
