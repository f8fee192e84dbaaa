import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { codecInfo, createEncoder, createResampler } from '../../../codecs/index.ts';
import type { RealtimeClientEvent, RealtimeServerEvent, RealtimeSessionCreateRequest } from '../../../agent/providers/s2s/openai-realtime-wire.ts';
import { checkClientEvent } from './client-event-schema.ts';

export interface AudioResponseOptions {
  /** Audio per delta event, ms (the real API sends ~100–200 ms deltas). */
  readonly chunkMs?: number;
  /** Wall-clock ms between deltas; below `chunkMs` the server runs ahead of real time, as the real one does. */
  readonly paceMs?: number;
  /**
   * The item's transcript: streamed as `response.output_audio_transcript.delta` word by word along
   * with the audio (as the real API does), then sent whole in `.done` if the response completes.
   */
  readonly transcript?: string;
  /** Delay before the first delta (the model's own latency), ms. */
  readonly firstDeltaMs?: number;
}

export interface AudioResponse {
  readonly responseId: string;
  readonly itemId: string;
  /** Milliseconds of audio sent so far. */
  sentMs: number;
  /** performance.now() when the first delta was sent (benchmarks subtract the model's own delay). */
  firstDeltaAt: number | undefined;
  /** Resolves with the final status when the response is done (completed or cancelled). */
  readonly done: Promise<'completed' | 'cancelled'>;
}

/**
 * One client connection of the fake Realtime server: validates every client event strictly
 * (client-event-schema.ts) plus the stateful rules the real API enforces (truncate within the audio
 * sent, cancel only an active response, one response at a time, function output for a known call),
 * answers with an error event like the real one, and records everything. Tests script it.
 */
export class FakeRealtimeConnection extends EventEmitter<{ event: [RealtimeClientEvent]; closed: [] }> {
  readonly received: RealtimeClientEvent[] = [];
  /** Events refused (schema or state): a conforming client has none. */
  readonly violations: string[] = [];
  readonly truncates: { itemId: string; audioEndMs: number; at: number }[] = [];
  session: RealtimeSessionCreateRequest | undefined;
  inputBytes = 0;
  closed = false;
  readonly #ws: WebSocket;
  readonly #audioItems = new Map<string, number>();
  readonly #calls = new Set<string>();
  #active: { id: string; cancel: () => void } | undefined;
  #seq = 0;

  constructor(ws: WebSocket, readonly model: string) {
    super();
    this.#ws = ws;
    ws.on('message', (data, isBinary) => this.#onMessage(isBinary ? '' : data.toString('utf8')));
    ws.on('close', () => {
      this.closed = true;
      this.#active?.cancel();
      this.emit('closed');
    });
    this.send({ type: 'session.created', event_id: this.#id('event'), session: { type: 'realtime', model } });
  }

  /** Input audio received so far, in ms (per the session's input format). */
  get inputMs(): number {
    const f = this.session?.audio?.input?.format?.type;
    return f === 'audio/pcmu' || f === 'audio/pcma' ? this.inputBytes / 8 : this.inputBytes / 48;
  }

  get activeResponseId(): string | undefined {
    return this.#active?.id;
  }

  send(ev: RealtimeServerEvent): void {
    if (!this.closed) this.#ws.send(JSON.stringify(ev));
  }

  error(code: string, message: string, type = 'invalid_request_error', clientEventId?: string): void {
    this.send({ type: 'error', event_id: this.#id('event'), error: { type, code, message, event_id: clientEventId ?? null, param: null } });
  }

  /** Drops the connection without a close handshake (a network failure). */
  drop(): void {
    this.#ws.terminate();
  }

  close(code = 1000): void {
    this.#ws.close(code);
  }

  /** The server VAD heard the caller: with interrupt_response it cancels the active response itself. */
  speechStarted(): void {
    this.send({ type: 'input_audio_buffer.speech_started', event_id: this.#id('event'), audio_start_ms: Math.round(this.inputMs), item_id: this.#id('item') });
    this.#active?.cancel();
  }

  speechStopped(): void {
    this.send({ type: 'input_audio_buffer.speech_stopped', event_id: this.#id('event'), audio_end_ms: Math.round(this.inputMs), item_id: this.#id('item') });
  }

  /** Streams `pcm24k` as one assistant audio item, in the session's output format. */
  respondWithAudio(pcm24k: Int16Array, opts: AudioResponseOptions = {}): AudioResponse {
    const responseId = this.#id('resp');
    const itemId = this.#id('item');
    const fmt = this.session?.audio?.output?.format?.type ?? 'audio/pcm';
    const chunkMs = opts.chunkMs ?? 100;
    const paceMs = opts.paceMs ?? 40;
    let cancelled = false;
    let resolve!: (s: 'completed' | 'cancelled') => void;
    const done = new Promise<'completed' | 'cancelled'>((r) => (resolve = r));
    const res: AudioResponse = { responseId, itemId, sentMs: 0, firstDeltaAt: undefined, done };
    this.#start(responseId, () => (cancelled = true));
    this.send({ type: 'response.output_item.added', event_id: this.#id('event'), response_id: responseId, output_index: 0, item: { id: itemId, type: 'message', role: 'assistant', content: [], status: 'in_progress' } });
    this.#audioItems.set(itemId, 0);
    const wire = toWire(pcm24k, fmt);
    const bytesPerMs = fmt === 'audio/pcm' ? 48 : 8;
    const step = chunkMs * bytesPerMs;
    const words = opts.transcript?.split(/(?<= )/) ?? [];
    const chunks = Math.max(1, Math.ceil(wire.length / step));
    let wordsSent = 0;
    const run = async (): Promise<void> => {
      await sleep(opts.firstDeltaMs ?? 0);
      for (let off = 0, i = 0; off < wire.length && !cancelled && !this.closed; off += step, i++) {
        // The words of this stretch of audio, just ahead of it.
        const upTo = Math.ceil(((i + 1) * words.length) / chunks);
        if (upTo > wordsSent) {
          this.send({ type: 'response.output_audio_transcript.delta', event_id: this.#id('event'), response_id: responseId, item_id: itemId, output_index: 0, content_index: 0, delta: words.slice(wordsSent, upTo).join('') });
          wordsSent = upTo;
        }
        const chunk = wire.subarray(off, Math.min(off + step, wire.length));
        res.firstDeltaAt ??= performance.now();
        this.send({ type: 'response.output_audio.delta', event_id: this.#id('event'), response_id: responseId, item_id: itemId, output_index: 0, content_index: 0, delta: chunk.toString('base64') });
        res.sentMs += chunk.length / bytesPerMs;
        this.#audioItems.set(itemId, res.sentMs);
        await sleep(paceMs);
      }
      if (!cancelled) {
        this.send({ type: 'response.output_audio.done', event_id: this.#id('event'), response_id: responseId, item_id: itemId, output_index: 0, content_index: 0 });
        if (opts.transcript) this.send({ type: 'response.output_audio_transcript.done', event_id: this.#id('event'), response_id: responseId, item_id: itemId, output_index: 0, content_index: 0, transcript: opts.transcript });
      }
      this.#finish(responseId, cancelled ? 'cancelled' : 'completed', { input_tokens: 120, output_tokens: Math.round(res.sentMs / 50) });
      resolve(cancelled ? 'cancelled' : 'completed');
    };
    void run();
    return res;
  }

  /** A response holding one function call with these (maybe invalid) arguments. */
  functionCall(name: string, args: string): { callId: string; responseId: string } {
    const responseId = this.#id('resp');
    const itemId = this.#id('item');
    const callId = this.#id('call');
    this.#start(responseId, () => undefined);
    this.#calls.add(callId);
    this.send({ type: 'response.output_item.added', event_id: this.#id('event'), response_id: responseId, output_index: 0, item: { id: itemId, type: 'function_call', call_id: callId, name, arguments: '' } });
    this.send({ type: 'response.function_call_arguments.delta', event_id: this.#id('event'), response_id: responseId, item_id: itemId, output_index: 0, call_id: callId, delta: args });
    this.send({ type: 'response.function_call_arguments.done', event_id: this.#id('event'), response_id: responseId, item_id: itemId, output_index: 0, call_id: callId, name, arguments: args });
    this.#finish(responseId, 'completed', { input_tokens: 50, output_tokens: 10 });
    return { callId, responseId };
  }

  /** A user transcript, as input audio transcription would deliver it. */
  callerTranscript(text: string): void {
    this.send({ type: 'conversation.item.input_audio_transcription.completed', event_id: this.#id('event'), item_id: this.#id('item'), content_index: 0, transcript: text, usage: { type: 'duration', seconds: 1 } });
  }

  #start(responseId: string, cancel: () => void): void {
    this.#active = { id: responseId, cancel };
    this.send({ type: 'response.created', event_id: this.#id('event'), response: { id: responseId, object: 'realtime.response', status: 'in_progress', output: [] } });
  }

  #finish(responseId: string, status: 'completed' | 'cancelled', usage: { input_tokens: number; output_tokens: number }): void {
    if (this.#active?.id === responseId) this.#active = undefined;
    this.send({ type: 'response.done', event_id: this.#id('event'), response: { id: responseId, object: 'realtime.response', status, usage: { ...usage, total_tokens: usage.input_tokens + usage.output_tokens } } });
  }

  #onMessage(text: string): void {
    const check = checkClientEvent(text);
    if (!check.ok) {
      this.violations.push(`${check.code}: ${check.message}`);
      return this.error(check.code, check.message);
    }
    const ev = check.event;
    this.received.push(ev);
    const refuse = this.#stateRule(ev);
    if (refuse) {
      this.violations.push(`${refuse.code}: ${refuse.message}`);
      this.error(refuse.code, refuse.message, 'invalid_request_error', ev.event_id);
    }
    this.emit('event', ev);
  }

  /** The rules the real API enforces beyond the shape of an event. */
  #stateRule(ev: RealtimeClientEvent): { code: string; message: string } | undefined {
    switch (ev.type) {
      case 'session.update':
        if (ev.session.type !== 'realtime') return { code: 'invalid_value', message: 'this fake serves realtime sessions only' };
        this.session = { ...this.session, ...ev.session, type: 'realtime' };
        this.send({ type: 'session.updated', event_id: this.#id('event'), session: this.session });
        return undefined;
      case 'input_audio_buffer.append': {
        const n = Buffer.from(ev.audio, 'base64').length;
        const f = this.session?.audio?.input?.format?.type ?? 'audio/pcm';
        if (f === 'audio/pcm' && n % 2 !== 0) return { code: 'invalid_value', message: 'PCM16 audio must have an even byte count' };
        this.inputBytes += n;
        return undefined;
      }
      case 'conversation.item.truncate': {
        this.truncates.push({ itemId: ev.item_id, audioEndMs: ev.audio_end_ms, at: Date.now() });
        const sent = this.#audioItems.get(ev.item_id);
        if (sent === undefined) return { code: 'item_not_found', message: `Item with item_id not found: ${ev.item_id}` };
        if (ev.audio_end_ms > sent) return { code: 'invalid_value', message: `Audio content of ${Math.floor(sent)}ms is already shorter than ${ev.audio_end_ms}ms` };
        this.send({ type: 'conversation.item.truncated', event_id: this.#id('event'), item_id: ev.item_id, content_index: 0, audio_end_ms: ev.audio_end_ms });
        return undefined;
      }
      case 'response.cancel':
        if (!this.#active) return { code: 'response_cancel_not_active', message: 'Cancellation failed: no active response found' };
        this.#active.cancel();
        return undefined;
      case 'response.create':
        if (this.#active) return { code: 'conversation_already_has_active_response', message: `Conversation already has an active response in progress: ${this.#active.id}` };
        return undefined;
      case 'conversation.item.create':
        if (ev.item.type === 'function_call_output' && !this.#calls.has(ev.item.call_id)) return { code: 'invalid_value', message: `no function call with call_id ${ev.item.call_id}` };
        return undefined;
      default:
        return undefined;
    }
  }

  #id(prefix: string): string {
    return `${prefix}_${(++this.#seq).toString(36).padStart(6, '0')}`;
  }
}

function toWire(pcm24k: Int16Array, fmt: string): Buffer {
  if (fmt === 'audio/pcm') return Buffer.from(pcm24k.buffer, pcm24k.byteOffset, pcm24k.byteLength);
  const rs = createResampler(24000, 8000);
  const pcm8 = new Int16Array(rs.outputLength(pcm24k.length));
  const n = rs.process(pcm24k, pcm8);
  const enc = createEncoder(codecInfo(fmt === 'audio/pcmu' ? 'PCMU' : 'PCMA'));
  const out = new Uint8Array(n);
  enc.encodeInto(pcm8.subarray(0, n), out);
  return Buffer.from(out.buffer, out.byteOffset, n);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
