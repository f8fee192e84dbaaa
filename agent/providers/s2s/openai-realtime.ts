import { EventEmitter } from 'node:events';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import type { OpenAIRealtimeError } from 'openai/realtime/internal-base';
import { ProviderError } from '../../../gateway/errors.ts';
import { AudioWire } from './audio-wire.ts';
import { formatRate, sessionRequest } from './openai-realtime-session.ts';
import { BENIGN_ERROR_CODES, type RealtimeClientEvent, type RealtimeServerEvent } from './openai-realtime-wire.ts';
import type { S2sProvider, S2sProviderEvents, S2sSessionSettings } from './types.ts';

export interface OpenAIRealtimeOptions {
  readonly model: string;
  /** From OPENAI_API_KEY only (never the config file). */
  readonly apiKey: string;
  /**
   * Per-persona override; undefined lets the `openai` package read OPENAI_BASE_URL (else
   * https://api.openai.com/v1). The WebSocket URL is `<base>/realtime?model=…`, always wss://.
   */
  readonly baseUrl?: string | undefined;
  readonly connectTimeoutMs: number;
  readonly settings: S2sSessionSettings;
  /**
   * Extra trusted CA certificates (PEM) for a private endpoint. Verification always stays on; a
   * gateway process can also use NODE_EXTRA_CA_CERTS.
   */
  readonly ca?: Buffer | undefined;
}

const PROVIDER = 'openai-realtime';

/**
 * OpenAI Realtime over the `openai` package's WebSocket client: translates our calls into client
 * events and server events into S2sProvider events, nothing more (design §4.2). Every server event
 * type is handled or deliberately ignored in `#onEvent`.
 */
export class OpenAIRealtimeProvider extends EventEmitter<S2sProviderEvents> implements S2sProvider {
  readonly name = PROVIDER;
  readonly sampleRate: number;
  readonly #opts: OpenAIRealtimeOptions;
  readonly #wire: AudioWire;
  #rt: OpenAIRealtimeWS | undefined;
  #closedByUs = false;
  #closed = false;

  constructor(opts: OpenAIRealtimeOptions) {
    super();
    this.#opts = opts;
    this.#wire = new AudioWire(opts.settings.audioFormat);
    this.sampleRate = formatRate(opts.settings.audioFormat);
  }

  connect(): Promise<void> {
    const client = new OpenAI({ apiKey: this.#opts.apiKey, ...(this.#opts.baseUrl ? { baseURL: this.#opts.baseUrl } : {}) });
    const rt = new OpenAIRealtimeWS({ model: this.#opts.model, ...(this.#opts.ca ? { options: { ca: this.#opts.ca } } : {}) }, client);
    this.#rt = rt;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (err?: ProviderError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) {
          this.close();
          reject(err);
        } else resolve();
      };
      const timer = setTimeout(() => settle(new ProviderError(PROVIDER, `no session within ${this.#opts.connectTimeoutMs} ms`, true)), this.#opts.connectTimeoutMs);
      rt.socket.once('open', () => this.#send({ type: 'session.update', session: sessionRequest(this.#opts.settings, this.#opts.model) }));
      rt.on('event', (ev) => {
        if (ev.type === 'session.updated') settle();
        this.#onEvent(ev);
      });
      rt.on('error', (err: OpenAIRealtimeError) => {
        const code = err.error?.code ?? (err.error ? 'error-event' : 'socket');
        const fatal = !BENIGN_ERROR_CODES.has(code);
        const perr = new ProviderError(PROVIDER, err.error ? `server error ${code}` : 'connection error', err.error === undefined, { cause: err });
        if (!settled && fatal) return settle(perr);
        this.emit('error', { error: perr, fatal, code });
      });
      rt.socket.once('close', () => {
        this.#closed = true;
        settle(new ProviderError(PROVIDER, 'connection closed before the session was ready', true));
        this.emit('closed', { byUs: this.#closedByUs });
      });
    });
  }

  pushAudio(pcm: Int16Array): void {
    if (pcm.length > 0) this.#send({ type: 'input_audio_buffer.append', audio: this.#wire.encode(pcm) });
  }

  requestResponse(instructions?: string): void {
    this.#send({ type: 'response.create', ...(instructions ? { response: { instructions } } : {}) });
  }

  sendToolResult(callId: string, output: string): void {
    this.#send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: callId, output } });
  }

  interrupt(): void {
    this.#send({ type: 'response.cancel' });
  }

  truncate(itemId: string, audioEndMs: number): void {
    this.#send({ type: 'conversation.item.truncate', item_id: itemId, content_index: 0, audio_end_ms: Math.max(0, Math.floor(audioEndMs)) });
  }

  close(): void {
    if (!this.#rt || this.#closedByUs) return;
    this.#closedByUs = true;
    const sock = this.#rt.socket;
    // A socket still connecting cannot be closed cleanly; terminate it (ws semantics).
    if (sock.readyState === sock.CONNECTING) sock.terminate();
    else this.#rt.close({ code: 1000, reason: 'call ended' });
  }

  #send(ev: RealtimeClientEvent): void {
    const rt = this.#rt;
    if (!rt || this.#closed || rt.socket.readyState !== rt.socket.OPEN) return;
    rt.send(ev);
  }

  #onEvent(ev: RealtimeServerEvent): void {
    switch (ev.type) {
      case 'response.output_audio.delta':
        this.emit('audio', { itemId: ev.item_id, responseId: ev.response_id, pcm: this.#wire.decode(ev.delta), sampleRate: this.sampleRate });
        return;
      case 'response.output_audio.done':
        this.emit('audio-done', { itemId: ev.item_id });
        return;
      case 'input_audio_buffer.speech_started':
        this.emit('speech-started');
        return;
      case 'input_audio_buffer.speech_stopped':
        this.emit('speech-stopped', { audioEndMs: ev.audio_end_ms });
        return;
      case 'response.created':
        this.emit('response-started', { responseId: ev.response.id ?? '' });
        return;
      case 'response.done': {
        const u = ev.response.usage;
        const usage = u ? { inputTokens: u.input_tokens ?? 0, outputTokens: u.output_tokens ?? 0 } : undefined;
        this.emit('response-done', { responseId: ev.response.id ?? '', status: ev.response.status ?? 'completed', usage });
        return;
      }
      case 'response.function_call_arguments.done':
        this.emit('tool-call', { callId: ev.call_id, name: ev.name, arguments: ev.arguments });
        return;
      case 'conversation.item.input_audio_transcription.completed':
        this.emit('transcript', { role: 'caller', itemId: ev.item_id, text: ev.transcript });
        return;
      case 'response.output_audio_transcript.delta':
        this.emit('transcript-delta', { itemId: ev.item_id, responseId: ev.response_id, delta: ev.delta });
        return;
      case 'response.output_audio_transcript.done':
        this.emit('transcript', { role: 'agent', itemId: ev.item_id, text: ev.transcript });
        return;
      default:
        // Lifecycle and delta events we do not act on (session.*, conversation.item.*, rate_limits…).
        return;
    }
  }
}
