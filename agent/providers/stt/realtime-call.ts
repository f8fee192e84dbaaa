import { performance } from 'node:perf_hooks';
import type OpenAI from 'openai';
import { ProviderError } from '../../../gateway/errors.ts';
import { metrics } from '../../../gateway/metrics.ts';
import type { RealtimeServerEvent, RealtimeTranscriptionSessionCreateRequest, TranscriptionClientEvent } from './openai-realtime-wire.ts';
import { RealtimeAudioEncoder, formatFor, wireFormat, type RealtimeSttFormat } from './realtime-audio.ts';
import { TranscriptionSocket } from './realtime-socket.ts';
import { RealtimeUtterance, type UtterancePort } from './realtime-utterance.ts';
import type { SttCallOptions, SttCallSession, SttOpenOptions, SttUtterance } from './types.ts';
import { vocabularyPrompt } from './openai.ts';

export interface RealtimeSttSettings {
  readonly client: Pick<OpenAI, 'apiKey' | 'baseURL'>;
  readonly model: string;
  readonly language?: string | undefined;
  /** The agent's own domain words (each call adds its persona's). */
  readonly vocabulary?: readonly string[] | undefined;
  readonly noiseReduction: 'near_field' | 'far_field' | 'off';
  readonly format: 'auto' | RealtimeSttFormat;
  readonly connectTimeoutMs: number;
  /** Longest wait for an utterance's final after `finish()` before it fails (retryable). */
  readonly finalTimeoutMs: number;
  /** Longest utterance sent; audio beyond it is dropped (a caller cannot run up the bill without bound). */
  readonly maxUtteranceMs: number;
  /** Audio held while the session connects, ms; beyond it, chunks are dropped (counted). */
  readonly maxQueuedMs: number;
  readonly ca?: Buffer | undefined;
}

export const REALTIME_STT_PROVIDER = 'openai-realtime-stt';

/**
 * One Realtime transcription session serving every utterance of one call: dialled when the call
 * starts (the first utterance pays no TLS handshake), re-dialled by the next utterance after a drop.
 * Routes server events to the utterance that owns the item (by the order of `committed` events,
 * which follows the order of our commits); events sent while connecting wait in a bounded queue.
 */
export class RealtimeSttCall implements SttCallSession, UtterancePort {
  readonly name = REALTIME_STT_PROVIDER;
  readonly provider = REALTIME_STT_PROVIDER;
  readonly #s: RealtimeSttSettings;
  readonly #rate: number;
  readonly #format: RealtimeSttFormat;
  readonly #callVocabulary: readonly string[];
  #prompt: string | undefined;
  #sock: TranscriptionSocket | undefined;
  #connecting: Promise<void> | undefined;
  #queue: TranscriptionClientEvent[] = [];
  #queuedBytes = 0;
  /** Commits sent (or queued) whose `input_audio_buffer.committed` has not come back, oldest first. */
  #commits: { u: RealtimeUtterance; eventId: string; at: number }[] = [];
  readonly #owners = new Map<string, { u: RealtimeUtterance; at: number }>();
  readonly #live = new Set<RealtimeUtterance>();
  #current: RealtimeUtterance | undefined;
  #seq = 0;
  #closed = false;

  constructor(settings: RealtimeSttSettings, o: SttCallOptions) {
    this.#s = settings;
    this.#rate = o.sampleRate;
    this.#format = formatFor(o.sampleRate, settings.format);
    this.#callVocabulary = o.vocabulary ?? [];
    this.#prompt = this.#promptFor(this.#callVocabulary);
    this.#ensure();
  }

  describe(): string {
    return `openai-realtime-stt(${this.#s.model}, ${this.#format}${this.#prompt ? ', vocabulary' : ''})`;
  }

  open(o: SttOpenOptions): SttUtterance {
    // One input buffer per session: an utterance still taking audio is over when the next begins.
    if (this.#current?.isOpen) this.#current.abort();
    const u = new RealtimeUtterance(this, o, new RealtimeAudioEncoder(this.#format, o.sampleRate), { maxUtteranceMs: this.#s.maxUtteranceMs, finalTimeoutMs: this.#s.finalTimeoutMs });
    this.#current = u;
    if (this.#closed) {
      u.lost(new ProviderError(this.provider, 'the call’s recogniser is closed', false));
      return u;
    }
    this.#live.add(u);
    this.#ensure();
    const prompt = this.#promptFor([...this.#callVocabulary, ...(o.vocabulary ?? [])]);
    if (prompt !== this.#prompt) {
      this.#prompt = prompt;
      this.#send({ type: 'session.update', session: this.#session() });
    }
    return u;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const err = new ProviderError(this.provider, 'the call’s recogniser is closed', false);
    for (const u of [...this.#live]) u.lost(err);
    this.#queue = [];
    this.#sock?.close();
  }

  // ——— UtterancePort ———

  append(bytes: Buffer): boolean {
    return this.#send({ type: 'input_audio_buffer.append', audio: bytes.toString('base64') }, bytes.length);
  }

  commit(u: RealtimeUtterance): boolean {
    const eventId = `stt_commit_${++this.#seq}`;
    if (!this.#send({ type: 'input_audio_buffer.commit', event_id: eventId })) return false;
    this.#commits.push({ u, eventId, at: performance.now() });
    return true;
  }

  clear(): void {
    this.#send({ type: 'input_audio_buffer.clear' });
  }

  release(u: RealtimeUtterance): void {
    this.#live.delete(u);
    for (const [id, o] of this.#owners) if (o.u === u) this.#owners.delete(id);
  }

  // ——— the session ———

  #session(): RealtimeTranscriptionSessionCreateRequest {
    const s = this.#s;
    return {
      type: 'transcription',
      audio: {
        input: {
          format: wireFormat(this.#format),
          // Omitted means off: the request type has no null here.
          ...(s.noiseReduction === 'off' ? {} : { noise_reduction: { type: s.noiseReduction } }),
          transcription: { model: s.model, ...(s.language ? { language: s.language } : {}), ...(this.#prompt ? { prompt: this.#prompt } : {}) },
          // Turn taking is the cascade's (Silero VAD + agent/cascade/turn-taking.ts): we commit ourselves.
          turn_detection: null,
        },
      },
    };
  }

  #promptFor(callWords: readonly string[]): string | undefined {
    // realtime.d.ts: "Prompt is not supported with `gpt-realtime-whisper`".
    if (this.#s.model === 'gpt-realtime-whisper') return undefined;
    return vocabularyPrompt([...(this.#s.vocabulary ?? []), ...callWords]);
  }

  #ensure(): void {
    if (this.#closed || this.#sock || this.#connecting) return;
    const started = performance.now();
    this.#connecting = TranscriptionSocket.connect({ client: this.#s.client, session: this.#session(), connectTimeoutMs: this.#s.connectTimeoutMs, ca: this.#s.ca, provider: this.provider }).then(
      (sock) => {
        this.#connecting = undefined;
        metrics.cascadeSttConnectSeconds.observe((performance.now() - started) / 1000);
        metrics.cascadeSttSessions.inc({ outcome: 'ready' });
        if (this.#closed) return sock.close();
        this.#sock = sock;
        sock.on('event', (ev) => this.#onEvent(ev));
        sock.once('closed', ({ byUs }) => this.#onClosed(sock, byUs));
        const queued = this.#queue;
        this.#queue = [];
        this.#queuedBytes = 0;
        for (const ev of queued) sock.send(ev);
      },
      (err: unknown) => {
        this.#connecting = undefined;
        metrics.cascadeSttSessions.inc({ outcome: 'failed' });
        this.#queue = [];
        this.#queuedBytes = 0;
        this.#commits = [];
        const perr = err instanceof ProviderError ? err : new ProviderError(this.provider, 'connection failed', true, { cause: err });
        for (const u of [...this.#live]) u.lost(perr);
      },
    );
  }

  /** Sends now, or queues while connecting (bounded); false when the event cannot be sent. */
  #send(ev: TranscriptionClientEvent, audioBytes = 0): boolean {
    if (this.#closed) return false;
    if (this.#sock) return this.#sock.send(ev);
    if (!this.#connecting) return false;
    if (audioBytes > 0 && this.#queuedBytes + audioBytes > this.#s.maxQueuedMs * (this.#format === 'pcmu' ? 8 : 48)) {
      metrics.cascadeSttAudioDropped.inc({ reason: 'queue-full' });
      return true;
    }
    this.#queuedBytes += audioBytes;
    this.#queue.push(ev);
    return true;
  }

  #onClosed(sock: TranscriptionSocket, byUs: boolean): void {
    if (this.#sock !== sock) return;
    this.#sock = undefined;
    metrics.cascadeSttSessions.inc({ outcome: byUs ? 'closed' : 'dropped' });
    this.#commits = [];
    this.#owners.clear();
    // Audio already sent is gone with the session; the next utterance dials again.
    const err = new ProviderError(this.provider, 'transcription session lost', true);
    for (const u of [...this.#live]) u.lost(err);
  }

  #onEvent(ev: RealtimeServerEvent): void {
    switch (ev.type) {
      case 'input_audio_buffer.committed': {
        const c = this.#commits.shift();
        if (!c) return;
        this.#owners.set(ev.item_id, { u: c.u, at: c.at });
        c.u.committed(ev.item_id);
        return;
      }
      case 'conversation.item.input_audio_transcription.delta':
        this.#owners.get(ev.item_id)?.u.delta(ev.item_id, ev.delta ?? '');
        return;
      case 'conversation.item.input_audio_transcription.completed': {
        const o = this.#owners.get(ev.item_id);
        if (!o) return;
        metrics.cascadeProviderSeconds.observe({ provider: 'stt' }, (performance.now() - o.at) / 1000);
        this.#owners.delete(ev.item_id);
        o.u.completed(ev.item_id, ev.transcript);
        return;
      }
      case 'conversation.item.input_audio_transcription.failed': {
        const o = this.#owners.get(ev.item_id);
        this.#owners.delete(ev.item_id);
        o?.u.failed(ev.item_id, ev.error.code ?? ev.error.type ?? 'failed');
        return;
      }
      case 'error': {
        // A refused commit names our event (e.g. `input_audio_buffer_commit_empty`): no item follows.
        const i = this.#commits.findIndex((c) => c.eventId === ev.error.event_id);
        if (i >= 0) {
          const [c] = this.#commits.splice(i, 1);
          c!.u.commitRefused();
          return;
        }
        // Anything else (a refused append…) is reported; the utterance goes on with what the server has.
        this.#current?.warn(new ProviderError(this.provider, `server error ${ev.error.code ?? ev.error.type}`, ev.error.type === 'server_error'));
        return;
      }
      default:
        // session.*, conversation.item.added/done, input_audio_buffer.cleared, rate limits: nothing to do.
        return;
    }
  }
}
