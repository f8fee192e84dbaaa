import { EventEmitter } from 'node:events';
import type OpenAI from 'openai';
import { buildRealtimeURL } from 'openai/realtime/internal-base';
import WebSocket from 'ws';
import { ProviderError } from '../../../gateway/errors.ts';
import { TRANSCRIPTION_INTENT, type RealtimeServerEvent, type RealtimeTranscriptionSessionCreateRequest, type TranscriptionClientEvent } from './openai-realtime-wire.ts';

export interface TranscriptionSocketOptions {
  /** Where and as whom to connect: the `openai` client built from OPENAI_* and the config overrides. */
  readonly client: Pick<OpenAI, 'apiKey' | 'baseURL'>;
  readonly session: RealtimeTranscriptionSessionCreateRequest;
  readonly connectTimeoutMs: number;
  /** Extra trusted CA (PEM) for a private endpoint; verification always stays on. */
  readonly ca?: Buffer | undefined;
  readonly provider: string;
}

/**
 * The URL of a transcription session, derived from the client's base URL exactly as the `openai`
 * package derives its Realtime URL (`<baseURL>/realtime`, protocol forced to wss) but with
 * `?intent=transcription` instead of `?model=…`: the package's `OpenAIRealtimeWS` insists on exactly
 * one of `model` / `callID` and always sets `model=`, so it cannot open a transcription session.
 */
export function transcriptionUrl(client: Pick<OpenAI, 'apiKey' | 'baseURL'>): URL {
  const url = buildRealtimeURL(client, { model: 'unused' });
  url.searchParams.delete('model');
  url.searchParams.set('intent', TRANSCRIPTION_INTENT);
  return url;
}

/**
 * One WebSocket to the Realtime API in a transcription session: dial, `session.update`, ready on
 * `session.updated`. Afterwards a thin pipe: client events out, server events in, one `closed`.
 */
export class TranscriptionSocket extends EventEmitter<{ event: [RealtimeServerEvent]; closed: [{ byUs: boolean }] }> {
  readonly #ws: WebSocket;
  #byUs = false;

  private constructor(ws: WebSocket) {
    super();
    this.#ws = ws;
  }

  static connect(o: TranscriptionSocketOptions): Promise<TranscriptionSocket> {
    const ws = new WebSocket(transcriptionUrl(o.client), { headers: { Authorization: `Bearer ${o.client.apiKey}` }, ...(o.ca ? { ca: o.ca } : {}), handshakeTimeout: o.connectTimeoutMs });
    const sock = new TranscriptionSocket(ws);
    return new Promise((resolve, reject) => {
      let ready = false;
      const fail = (err: ProviderError): void => {
        if (ready) return;
        ready = true;
        clearTimeout(timer);
        ws.terminate();
        reject(err);
      };
      const timer = setTimeout(() => fail(new ProviderError(o.provider, `no transcription session within ${o.connectTimeoutMs} ms`, true)), o.connectTimeoutMs);
      // 401/403 (bad key) will not get better by retrying; other refusals (429, 5xx) may.
      ws.once('unexpected-response', (_req, res) => fail(new ProviderError(o.provider, `upgrade refused with status ${res.statusCode ?? 0}`, !(res.statusCode === 401 || res.statusCode === 403))));
      ws.on('error', (err) => fail(new ProviderError(o.provider, 'connection error', true, { cause: err })));
      ws.once('open', () => sock.send({ type: 'session.update', session: o.session }));
      ws.on('message', (data, isBinary) => {
        const ev = isBinary ? undefined : parse(data.toString());
        if (!ev) return;
        if (!ready) {
          if (ev.type === 'session.updated') {
            ready = true;
            clearTimeout(timer);
            resolve(sock);
          } else if (ev.type === 'error') {
            // The session we asked for was refused (unknown model, bad format…): a configuration problem.
            fail(new ProviderError(o.provider, `session refused: ${ev.error.code ?? ev.error.type}`, ev.error.type === 'server_error'));
          }
          return;
        }
        sock.emit('event', ev);
      });
      ws.once('close', () => {
        fail(new ProviderError(o.provider, 'connection closed before the session was ready', true));
        sock.emit('closed', { byUs: sock.#byUs });
      });
    });
  }

  get isOpen(): boolean {
    return this.#ws.readyState === WebSocket.OPEN;
  }

  /** Sends one client event; false when the socket is not open (the caller decides what that means). */
  send(ev: TranscriptionClientEvent): boolean {
    if (this.#ws.readyState !== WebSocket.OPEN) return false;
    this.#ws.send(JSON.stringify(ev));
    return true;
  }

  close(): void {
    this.#byUs = true;
    if (this.#ws.readyState === WebSocket.CONNECTING) this.#ws.terminate();
    else this.#ws.close(1000, 'call ended');
  }
}

function parse(text: string): RealtimeServerEvent | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string' ? (v as RealtimeServerEvent) : undefined;
  } catch {
    return undefined;
  }
}
