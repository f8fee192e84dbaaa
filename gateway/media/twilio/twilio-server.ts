import { createHmac, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { CallInfo } from '../../sip/call-info.ts';
import type { Logger } from '../../log.ts';
import { metrics } from '../../metrics.ts';
import type { Pacer } from '../pacer.ts';
import type { ResamplerFactory } from '../playout.ts';
import { TwilioDialog } from './twilio-dialog.ts';
import { TwilioLeg } from './twilio-leg.ts';
import { parseTwilioMessage, type TwilioStart } from './twilio-wire.ts';

export interface TwilioServerOptions {
  readonly bind: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** The WebSocket path of `<Stream url="wss://host/twilio/stream">`. */
  readonly path: string;
  /** Trunk name the calls are routed as. */
  readonly trunk: string;
  /** A socket that has not sent `start` by then is closed. */
  readonly startTimeoutMs: number;
  readonly mediaTimeoutSec: number;
  /** When set, `X-Twilio-Signature` must be HMAC-SHA1(authToken, publicUrl) (Twilio's webhook security). */
  readonly authToken?: string;
  /** The public `wss://…` URL Twilio connects to, for the signature; required with `authToken`. */
  readonly publicUrl?: string;
  readonly pacer: Pacer;
  readonly log: Logger;
  readonly makeResampler: ResamplerFactory;
}

export interface TwilioStreamEvents {
  /** A stream started: run it as a call (the leg is already receiving). */
  call: [TwilioDialog, TwilioLeg];
}

/** Bound on one text frame: a 20 ms media message is ~300 B; Twilio never sends more than a few KB. */
const MAX_FRAME_BYTES = 64 * 1024;

/**
 * The Twilio Media Streams endpoint: an HTTP server whose only route is the WebSocket upgrade on
 * `path`. Each socket must say `connected` then `start` (or just `start`); the `start` message's
 * `customParameters` (`<Parameter>` in TwiML) become the call's context, like X-headers on SIP.
 */
export class TwilioStreamServer extends EventEmitter<TwilioStreamEvents> {
  readonly #o: TwilioServerOptions;
  readonly #http: Server;
  readonly #wss: WebSocketServer;
  #port = 0;

  constructor(opts: TwilioServerOptions) {
    super();
    this.#o = opts;
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
    this.#http = createServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket only\n');
    });
    this.#http.on('upgrade', (req, socket, head) => {
      const path = (req.url ?? '').split('?')[0];
      if (path !== opts.path || !this.#signed(req)) {
        metrics.streamConnections.inc({ leg: 'twilio', result: path !== opts.path ? 'bad-path' : 'bad-signature' });
        socket.end(path !== opts.path ? 'HTTP/1.1 404 Not Found\r\n\r\n' : 'HTTP/1.1 403 Forbidden\r\n\r\n');
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, req));
    });
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

  async close(): Promise<void> {
    for (const ws of this.#wss.clients) ws.close(1001, 'going away');
    this.#wss.close();
    await new Promise<void>((r) => this.#http.close(() => r()));
  }

  #signed(req: IncomingMessage): boolean {
    const token = this.#o.authToken;
    if (!token) return true;
    const got = req.headers['x-twilio-signature'];
    if (typeof got !== 'string' || !this.#o.publicUrl) return false;
    const want = createHmac('sha1', token).update(this.#o.publicUrl + (req.url?.includes('?') ? req.url.slice(req.url.indexOf('?')) : '')).digest();
    const g = Buffer.from(got, 'base64');
    return g.length === want.length && timingSafeEqual(g, want);
  }

  #accept(ws: WebSocket, req: IncomingMessage): void {
    const log = this.#o.log;
    let leg: TwilioLeg | undefined;
    let dialog: TwilioDialog | undefined;
    const waitStart = setTimeout(() => {
      metrics.streamConnections.inc({ leg: 'twilio', result: 'no-start' });
      log.warn('twilio stream sent no start message');
      ws.close(1008, 'no start');
    }, this.#o.startTimeoutMs);

    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) {
        metrics.streamMessagesDropped.inc({ leg: 'twilio', reason: 'binary' });
        return;
      }
      const msg = parseTwilioMessage(rawText(data));
      if (typeof msg === 'string') {
        metrics.streamMessagesDropped.inc({ leg: 'twilio', reason: msg });
        return;
      }
      if (msg.event === 'connected') return;
      if (msg.event === 'start') {
        if (leg) return metrics.streamMessagesDropped.inc({ leg: 'twilio', reason: 'repeated-start' });
        if (msg.start.mediaFormat.encoding !== 'audio/x-mulaw' || msg.start.mediaFormat.sampleRate !== 8000) {
          metrics.streamConnections.inc({ leg: 'twilio', result: 'bad-format' });
          ws.close(1003, 'unsupported media format');
          return;
        }
        clearTimeout(waitStart);
        metrics.streamConnections.inc({ leg: 'twilio', result: 'started' });
        dialog = new TwilioDialog(callInfoFromStart(msg, this.#o.trunk, req), (code, reason) => ws.close(code, reason));
        leg = new TwilioLeg({
          streamSid: msg.start.streamSid,
          pacer: this.#o.pacer,
          log,
          mediaTimeoutSec: this.#o.mediaTimeoutSec,
          makeResampler: this.#o.makeResampler,
          send: (out) => {
            if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(out));
          },
          hangup: () => ws.close(1000, 'hangup'),
        });
        this.emit('call', dialog, leg);
        return;
      }
      if (!leg) return metrics.streamMessagesDropped.inc({ leg: 'twilio', reason: 'before-start' });
      if (msg.event === 'stop') {
        dialog?.remoteEnded();
        leg.close('stream-stopped');
        return;
      }
      leg.handle(msg);
    });
    ws.on('error', (err) => log.debug({ err }, 'twilio socket error'));
    ws.on('close', () => {
      clearTimeout(waitStart);
      dialog?.remoteEnded();
      leg?.close('socket-closed');
    });
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

/** `<Parameter name="from">` etc. are the call's context; known names fill the caller fields. */
function callInfoFromStart(msg: TwilioStart, trunk: string, req: IncomingMessage): CallInfo {
  const p = msg.start.customParameters;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(p)) headers[k.toLowerCase()] = v;
  const from = p['from'] ?? p['From'] ?? 'anonymous';
  const to = p['to'] ?? p['To'] ?? '';
  return {
    callId: msg.start.callSid,
    from,
    to,
    dialed: to,
    requestUri: `twilio:${msg.start.streamSid}`,
    source: { address: req.socket.remoteAddress ?? '', port: req.socket.remotePort ?? 0, transport: 'ws' },
    trunk,
    headers,
  };
}
