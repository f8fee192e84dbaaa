import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { FakeRealtimeConnection } from './connection.ts';
import { FakeTranscriptionConnection, type FakeTranscriptionScript } from './transcription.ts';
import { makeTestCertificate, type TestCertificate } from './tls.ts';

export interface FakeRealtimeServerOptions {
  /** The key clients must present as `Authorization: Bearer …`. */
  readonly apiKey: string;
  readonly cert?: TestCertificate;
}

/**
 * A local stand-in for the OpenAI Realtime API: TLS (the `openai` package always dials wss://) on
 * 127.0.0.1, WebSocket at `/v1/realtime?model=…` like the real one, bearer-key check, strict events
 * (connection.ts). Tests script each connection through the 'connection' event. Base URL for clients:
 * `baseUrl` (give `cert.certFile` to the client process as NODE_EXTRA_CA_CERTS).
 */
export class FakeRealtimeServer extends EventEmitter<{ connection: [FakeRealtimeConnection]; transcription: [FakeTranscriptionConnection] }> {
  readonly cert: TestCertificate;
  readonly connections: FakeRealtimeConnection[] = [];
  /** `?intent=transcription` connections (transcription.ts), answered by `transcriptionScript`. */
  readonly transcriptions: FakeTranscriptionConnection[] = [];
  /** How every transcription connection answers a committed item; tests replace it. */
  transcriptionScript: FakeTranscriptionScript = () => ({ text: '' });
  /** Upgrade attempts refused (bad key, bad path, no model). */
  readonly refused: string[] = [];
  readonly #https: Server;
  readonly #wss: WebSocketServer;
  readonly #apiKey: string;

  private constructor(opts: FakeRealtimeServerOptions) {
    super();
    this.#apiKey = opts.apiKey;
    this.cert = opts.cert ?? makeTestCertificate();
    this.#https = createServer({ cert: this.cert.cert, key: this.cert.key }, (_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
    });
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
    this.#https.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      const model = url.searchParams.get('model');
      const transcription = url.searchParams.get('intent') === 'transcription';
      const why = url.pathname !== '/v1/realtime' ? `path ${url.pathname}` : req.headers.authorization !== `Bearer ${this.#apiKey}` ? 'bad key' : !model && !transcription ? 'no model' : undefined;
      if (why) {
        this.refused.push(why);
        socket.end(`HTTP/1.1 ${why === 'bad key' ? '401 Unauthorized' : '400 Bad Request'}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => {
        if (transcription) {
          const tc = new FakeTranscriptionConnection(ws, () => this.transcriptionScript);
          this.transcriptions.push(tc);
          this.emit('transcription', tc);
          return;
        }
        const conn = new FakeRealtimeConnection(ws, model!);
        this.connections.push(conn);
        this.emit('connection', conn);
      });
    });
  }

  static async start(opts: FakeRealtimeServerOptions): Promise<FakeRealtimeServer> {
    const s = new FakeRealtimeServer(opts);
    await new Promise<void>((resolve, reject) => {
      s.#https.once('error', reject);
      s.#https.listen(0, '127.0.0.1', () => resolve());
    });
    return s;
  }

  get port(): number {
    return (this.#https.address() as AddressInfo).port;
  }

  /** What OPENAI_BASE_URL (or agent.s2s.baseUrl) should be. */
  get baseUrl(): string {
    return `https://127.0.0.1:${this.port}/v1`;
  }

  /** Resolves with the next connection (or the first, if one is already open and unclaimed). */
  nextConnection(timeoutMs: number): Promise<FakeRealtimeConnection> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.off('connection', on);
        reject(new Error(`no Realtime connection within ${timeoutMs} ms`));
      }, timeoutMs);
      const on = (c: FakeRealtimeConnection): void => {
        clearTimeout(t);
        resolve(c);
      };
      this.once('connection', on);
    });
  }

  async close(): Promise<void> {
    for (const c of this.connections) if (!c.closed) c.drop();
    for (const c of this.transcriptions) if (!c.closed) c.drop();
    this.#wss.close();
    await new Promise<void>((r) => this.#https.close(() => r()));
  }
}

/** Waits until `cond()` holds, polling every 10 ms, for at most `timeoutMs`. */
export async function until(cond: () => boolean, timeoutMs: number, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
