import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { codecInfo, createDecoder } from '../../../codecs/index.ts';
import type { RealtimeServerEvent, RealtimeTranscriptionSessionCreateRequest, TranscriptionClientEvent } from '../../../agent/providers/stt/openai-realtime-wire.ts';
import type { RealtimeClientEvent } from '../../../agent/providers/s2s/openai-realtime-wire.ts';
import { checkClientEvent } from './client-event-schema.ts';

/** One committed item as the fake received it. */
export interface FakeTranscriptionItem {
  readonly itemId: string;
  /** The item's audio as PCM16 at its wire rate (8 kHz for G.711, 24 kHz for PCM). */
  readonly pcm: Int16Array;
  readonly sampleRate: number;
  readonly model: string | undefined;
  readonly prompt: string | undefined;
  readonly language: string | undefined;
  /** Index of this item on its connection (0, 1, …). */
  readonly index: number;
}

/** How the fake answers one item: its text streamed as word deltas, or a failure. */
export interface FakeTranscriptionAnswer {
  readonly text: string;
  /** Before the first delta, ms (the recogniser's own latency). */
  readonly delayMs?: number;
  /** Between deltas, ms. */
  readonly deltaMs?: number;
  /** Answer `…transcription.failed` with this code instead. */
  readonly failCode?: string;
}

export type FakeTranscriptionScript = (item: FakeTranscriptionItem) => FakeTranscriptionAnswer;

const MIN_COMMIT_MS = 100;

/**
 * One `?intent=transcription` connection of the fake Realtime server. Strict like the real API:
 * every client event is checked against the package's types (client-event-schema.ts), the session
 * must be a `transcription` one, a commit of under 100 ms of audio is refused with
 * `input_audio_buffer_commit_empty`, response/conversation events have no place here. Stricter than
 * the real API on one point: audio appended before our `session.update` is a violation (it would be
 * read in the default format, not the call's).
 */
export class FakeTranscriptionConnection extends EventEmitter<{ event: [TranscriptionClientEvent]; closed: [] }> {
  readonly received: TranscriptionClientEvent[] = [];
  readonly violations: string[] = [];
  readonly items: FakeTranscriptionItem[] = [];
  /** Error codes sent to the client (conforming clients trigger none). */
  readonly errors: string[] = [];
  session: RealtimeTranscriptionSessionCreateRequest | undefined;
  clears = 0;
  closed = false;
  readonly #ws: WebSocket;
  readonly #script: () => FakeTranscriptionScript;
  #buffer: Buffer[] = [];
  #bufferBytes = 0;
  #lastItem: string | null = null;
  #seq = 0;

  constructor(ws: WebSocket, script: () => FakeTranscriptionScript) {
    super();
    this.#ws = ws;
    this.#script = script;
    ws.on('message', (data, isBinary) => this.#onMessage(isBinary ? '' : data.toString('utf8')));
    ws.on('close', () => {
      this.closed = true;
      this.emit('closed');
    });
    this.send({ type: 'session.created', event_id: this.#id('event'), session: { type: 'transcription' } });
  }

  send(ev: RealtimeServerEvent): void {
    if (!this.closed) this.#ws.send(JSON.stringify(ev));
  }

  error(code: string, message: string, clientEventId?: string): void {
    this.errors.push(code);
    this.send({ type: 'error', event_id: this.#id('event'), error: { type: 'invalid_request_error', code, message, event_id: clientEventId ?? null, param: null } });
  }

  /** Drops the connection without a close handshake (a network failure). */
  drop(): void {
    this.#ws.terminate();
  }

  get #format(): 'audio/pcm' | 'audio/pcmu' | 'audio/pcma' {
    return this.session?.audio?.input?.format?.type ?? 'audio/pcm';
  }

  get #bytesPerMs(): number {
    return this.#format === 'audio/pcm' ? 48 : 8;
  }

  /** Uncommitted audio in the input buffer, ms. */
  get bufferedMs(): number {
    return this.#bufferBytes / this.#bytesPerMs;
  }

  #onMessage(text: string): void {
    const check = checkClientEvent(text);
    if (!check.ok) return this.#refuse(check.code, check.message);
    const ev = check.event as RealtimeClientEvent;
    if (ev.type !== 'session.update' && ev.type !== 'input_audio_buffer.append' && ev.type !== 'input_audio_buffer.commit' && ev.type !== 'input_audio_buffer.clear') {
      return this.#refuse('invalid_value', `${ev.type} is not supported in a transcription session`, ev.event_id);
    }
    this.received.push(ev);
    this.#apply(ev);
    this.emit('event', ev);
  }

  #refuse(code: string, message: string, clientEventId?: string): void {
    this.violations.push(`${code}: ${message}`);
    this.error(code, message, clientEventId);
  }

  #apply(ev: TranscriptionClientEvent): void {
    switch (ev.type) {
      case 'session.update': {
        const s = ev.session;
        if (s.type !== 'transcription') return this.#refuse('invalid_value', "Cannot update a transcription session to type 'realtime'", ev.event_id);
        const tr = s.audio?.input?.transcription;
        if (!tr?.model) return this.#refuse('missing_required_parameter', 'Missing required parameter: session.audio.input.transcription.model', ev.event_id);
        if (tr.model === 'gpt-realtime-whisper' && tr.prompt !== undefined) return this.#refuse('invalid_value', 'prompt is not supported with gpt-realtime-whisper', ev.event_id);
        if (s.audio?.input?.turn_detection && tr.model === 'gpt-realtime-whisper') return this.#refuse('invalid_value', 'turn detection must be null for gpt-realtime-whisper', ev.event_id);
        if (this.#bufferBytes > 0 && s.audio?.input?.format && s.audio.input.format.type !== this.#format) return this.#refuse('invalid_value', 'cannot change the input format with audio in the buffer', ev.event_id);
        this.session = { ...this.session, ...s };
        this.send({ type: 'session.updated', event_id: this.#id('event'), session: this.session });
        return;
      }
      case 'input_audio_buffer.append': {
        if (!this.session) return this.#refuse('session_not_configured', 'audio appended before session.update (fake-only rule)', ev.event_id);
        const bytes = Buffer.from(ev.audio, 'base64');
        if (this.#format === 'audio/pcm' && bytes.length % 2 !== 0) return this.#refuse('invalid_value', 'PCM16 audio must have an even byte count', ev.event_id);
        this.#buffer.push(bytes);
        this.#bufferBytes += bytes.length;
        return;
      }
      case 'input_audio_buffer.clear':
        this.#buffer = [];
        this.#bufferBytes = 0;
        this.clears++;
        this.send({ type: 'input_audio_buffer.cleared', event_id: this.#id('event') });
        return;
      case 'input_audio_buffer.commit': {
        const ms = this.bufferedMs;
        if (ms < MIN_COMMIT_MS) {
          return this.#refuse('input_audio_buffer_commit_empty', `Error committing input audio buffer: buffer too small. Expected at least ${MIN_COMMIT_MS}ms of audio, but buffer only has ${ms.toFixed(2)}ms of audio.`, ev.event_id);
        }
        const itemId = this.#id('item');
        const audio = Buffer.concat(this.#buffer);
        this.#buffer = [];
        this.#bufferBytes = 0;
        this.send({ type: 'input_audio_buffer.committed', event_id: this.#id('event'), item_id: itemId, previous_item_id: this.#lastItem });
        this.#lastItem = itemId;
        const tr = this.session?.audio?.input?.transcription;
        const item: FakeTranscriptionItem = { itemId, ...decode(audio, this.#format), model: tr?.model, prompt: tr?.prompt, language: tr?.language, index: this.items.length };
        this.items.push(item);
        void this.#transcribe(item, this.#script()(item));
        return;
      }
    }
  }

  async #transcribe(item: FakeTranscriptionItem, a: FakeTranscriptionAnswer): Promise<void> {
    await sleep(a.delayMs ?? 0);
    if (a.failCode) {
      this.send({ type: 'conversation.item.input_audio_transcription.failed', event_id: this.#id('event'), item_id: item.itemId, content_index: 0, error: { type: 'transcription_error', code: a.failCode, message: 'transcription failed' } });
      return;
    }
    const words = a.text.split(/(?<= )/).filter(Boolean);
    for (const [i, w] of words.entries()) {
      if (i > 0) await sleep(a.deltaMs ?? 0);
      this.send({ type: 'conversation.item.input_audio_transcription.delta', event_id: this.#id('event'), item_id: item.itemId, content_index: 0, delta: w });
    }
    this.send({
      type: 'conversation.item.input_audio_transcription.completed',
      event_id: this.#id('event'),
      item_id: item.itemId,
      content_index: 0,
      transcript: a.text,
      usage: { type: 'duration', seconds: Math.ceil(item.pcm.length / item.sampleRate) },
    });
  }

  #id(prefix: string): string {
    return `${prefix}_tr${(++this.#seq).toString(36).padStart(5, '0')}`;
  }
}

function decode(bytes: Buffer, fmt: string): { pcm: Int16Array; sampleRate: number } {
  if (fmt === 'audio/pcm') {
    const pcm = new Int16Array(bytes.length >> 1);
    new Uint8Array(pcm.buffer).set(bytes.subarray(0, pcm.byteLength));
    return { pcm, sampleRate: 24000 };
  }
  const dec = createDecoder(codecInfo(fmt === 'audio/pcmu' ? 'PCMU' : 'PCMA'));
  const pcm = new Int16Array(bytes.length);
  return { pcm: pcm.subarray(0, dec.decodeInto(bytes, pcm)), sampleRate: 8000 };
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}
