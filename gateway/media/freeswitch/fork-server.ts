import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Logger } from '../../log.ts';
import { metrics } from '../../metrics.ts';
import { FORK_SUBPROTOCOL, parseMetadata } from './fork-wire.ts';

export interface ForkServerOptions {
  readonly bind: string;
  /** 0: a free port. */
  readonly port: number;
  /** A socket that sends no metadata frame by then is closed. */
  readonly metadataTimeoutMs: number;
  readonly log: Logger;
}

/** A socket matched to a call. */
export interface ForkSocket {
  readonly ws: WebSocket;
  /**
   * Stops buffering and returns the audio frames that arrived between the match and the leg taking
   * the socket (the fork may start streaming before `uuid_audio_fork` has answered +OK).
   */
  take(): Buffer[];
}

/** Bound on frames buffered before the leg takes the socket (~10 s at 20 ms). */
const MAX_EARLY_FRAMES = 500;

interface Expected {
  readonly token: string;
  readonly resolve: (s: ForkSocket) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Our WebSocket server for mod_audio_fork. A call registers `expect(callId, token)` before it
 * starts the fork; the socket whose first text frame carries that metadata is handed to it. A socket
 * with another subprotocol, no metadata, binary first, an unknown call or a wrong token is closed
 * (1008) and counted; it never reaches a call.
 */
export class ForkServer {
  readonly #o: ForkServerOptions;
  readonly #http: Server;
  readonly #wss: WebSocketServer;
  readonly #expected = new Map<string, Expected>();
  #port = 0;

  constructor(opts: ForkServerOptions) {
    this.#o = opts;
    this.#http = createServer((_req, res) => res.writeHead(426).end());
    this.#wss = new WebSocketServer({
      server: this.#http,
      // mod_audio_fork sends one 20 ms frame at a time; 1 MB bounds any text frame (the module drops >650 KB).
      maxPayload: 1 << 20,
      handleProtocols: (protocols) => (protocols.has(FORK_SUBPROTOCOL) ? FORK_SUBPROTOCOL : false),
    });
    this.#wss.on('connection', (ws) => this.#accept(ws));
  }

  get port(): number {
    return this.#port;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#http.once('error', reject);
      this.#http.listen(this.#o.port, this.#o.bind, () => resolve());
    });
    this.#port = (this.#http.address() as AddressInfo).port;
  }

  /** Resolves with the socket FreeSWITCH opens for this call; rejects after `timeoutMs`. */
  expect(callId: string, token: string, timeoutMs: number): Promise<ForkSocket> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#expected.delete(callId);
        reject(new Error('mod_audio_fork did not connect'));
      }, timeoutMs);
      this.#expected.set(callId, { token, resolve, timer });
    });
  }

  /** A call gave up before its socket came. */
  forget(callId: string): void {
    const e = this.#expected.get(callId);
    if (e) clearTimeout(e.timer);
    this.#expected.delete(callId);
  }

  async close(): Promise<void> {
    for (const e of this.#expected.values()) clearTimeout(e.timer);
    this.#expected.clear();
    for (const ws of this.#wss.clients) ws.close(1001, 'going away');
    this.#wss.close();
    await new Promise<void>((r) => this.#http.close(() => r()));
  }

  #refuse(ws: WebSocket, result: string): void {
    metrics.streamConnections.inc({ leg: 'fork', result });
    this.#o.log.warn({ result }, 'fork socket refused');
    ws.close(1008, result);
  }

  #accept(ws: WebSocket): void {
    const timer = setTimeout(() => this.#refuse(ws, 'no-metadata'), this.#o.metadataTimeoutMs);
    const onFirst = (data: RawData, isBinary: boolean): void => {
      clearTimeout(timer);
      ws.off('message', onFirst);
      if (isBinary) return this.#refuse(ws, 'no-metadata');
      const meta = parseMetadata(String(data));
      if (!meta) return this.#refuse(ws, 'bad-metadata');
      const e = this.#expected.get(meta.callId);
      if (!e) return this.#refuse(ws, 'unknown-call');
      const a = Buffer.from(meta.token);
      const b = Buffer.from(e.token);
      if (a.length !== b.length || !timingSafeEqual(a, b)) return this.#refuse(ws, 'bad-token');
      clearTimeout(e.timer);
      this.#expected.delete(meta.callId);
      metrics.streamConnections.inc({ leg: 'fork', result: 'started' });
      const early: Buffer[] = [];
      const buffer = (d: RawData, bin: boolean): void => {
        if (bin && early.length < MAX_EARLY_FRAMES) early.push(Buffer.isBuffer(d) ? d : Buffer.from(d as ArrayBuffer));
      };
      ws.on('message', buffer);
      e.resolve({
        ws,
        take: () => {
          ws.off('message', buffer);
          return early.splice(0);
        },
      });
    };
    ws.on('message', onFirst);
    ws.on('error', (err) => this.#o.log.debug({ err }, 'fork socket error'));
    ws.on('close', () => clearTimeout(timer));
  }
}
