import { createConnection, createServer, isIPv6, type Server, type Socket } from 'node:net';
import type { Logger } from '../../log.ts';
import type { Endpoint } from './message.ts';
import { StreamFramer } from './stream-framer.ts';
import { endpointKey, type MessageHandler, type SipTransport } from './transport.ts';
import { metrics } from '../../metrics.ts';

export interface TcpTransportOptions {
  readonly bind: string;
  readonly port: number;
  readonly log: Logger;
  readonly onMessage: MessageHandler;
  readonly maxMessageBytes: number;
  /** Connections with no traffic for this long are closed. */
  readonly idleTimeoutMs?: number;
  /** Bytes allowed to wait in a connection's write queue before it is considered dead. */
  readonly maxWriteBytes?: number;
  readonly maxConnections?: number;
  /** A message begun must be complete within this (slow senders — slowloris — are closed). */
  readonly messageTimeoutMs?: number;
  /** Inbound connections allowed from one source address at once; more are closed at accept. */
  readonly maxConnectionsPerSource?: number;
  /**
   * Bytes to send before closing after a framing error (a 400), when one can be built. `pending` holds
   * the unframed bytes of the failed message, from which the hook may read the request's headers.
   */
  readonly framingErrorResponse?: (err: unknown, pending: Buffer) => Buffer | undefined;
}

/**
 * SIP over TCP (RFC 3261 §18). The stream is cut into messages by Content-Length (StreamFramer,
 * §18.3). Connections are reused both ways: a response goes back over the connection its request
 * came on (§18.2.2), and a request we send to an endpoint we already have a connection with uses it.
 * A framing error cannot be recovered from on a stream, so the connection is closed after an answer.
 */
export class TcpTransport implements SipTransport {
  readonly kind = 'tcp' as const;
  readonly reliable = true;
  #server: Server | undefined;
  #port = 0;
  readonly #connections = new Map<string, Socket>();
  /** Inbound connections by remote address (the per-source cap). */
  readonly #perSource = new Map<string, number>();

  constructor(private readonly opts: TcpTransportOptions) {}

  get port(): number {
    return this.#port;
  }

  /** Open connections (for tests and metrics). */
  get connectionCount(): number {
    return this.#connections.size;
  }

  listen(): Promise<number> {
    const server = createServer((socket) => this.#adopt(socket));
    server.maxConnections = this.opts.maxConnections ?? 1024;
    this.#server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: this.opts.port, host: this.opts.bind }, () => {
        server.off('error', reject);
        server.on('error', (err) => this.opts.log.warn({ err }, 'sip tcp server error'));
        const addr = server.address();
        this.#port = typeof addr === 'object' && addr !== null ? addr.port : this.opts.port;
        resolve(this.#port);
      });
    });
  }

  send(data: Buffer, to: Endpoint): void {
    let socket = this.#connections.get(endpointKey(to));
    if (socket === undefined || socket.destroyed) {
      // §18.2.2 / §18.1.1: no connection to reuse, so open one (e.g. our BYE after the caller's went away).
      if (this.#server === undefined) return;
      socket = createConnection({ host: to.address, port: to.port, family: isIPv6(to.address) ? 6 : 4 });
      this.#adopt(socket, to);
    }
    if (socket.writableLength > (this.opts.maxWriteBytes ?? 1024 * 1024)) {
      metrics.sipDropped.inc({ reason: 'tcp-backlog' });
      socket.destroy();
      return;
    }
    socket.write(data);
  }

  async close(): Promise<void> {
    for (const socket of this.#connections.values()) socket.destroy();
    this.#connections.clear();
    const server = this.#server;
    this.#server = undefined;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #adopt(socket: Socket, remote?: Endpoint): void {
    const source: Endpoint = remote ?? { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0, transport: 'tcp' };
    if (remote === undefined && !this.#admitSource(socket, source.address)) return;
    const key = endpointKey(source);
    const slow = this.#slowSenderGuard(socket);
    this.#connections.set(key, socket);
    // RFC 5626 §3.5.1: a double-CRLF ping is answered with a single-CRLF pong.
    const framer = new StreamFramer({ maxMessageBytes: this.opts.maxMessageBytes, onPing: () => socket.write('\r\n') });
    socket.setNoDelay(true);
    socket.setTimeout(this.opts.idleTimeoutMs ?? 300_000);
    socket.on('timeout', () => socket.destroy());
    socket.on('error', (err) => this.opts.log.debug({ err }, 'sip tcp connection error'));
    socket.on('close', () => {
      if (this.#connections.get(key) === socket) this.#connections.delete(key);
    });
    // The bytes the framer still holds (bounded by maxMessageBytes through the framer's own limits),
    // kept only so a framing error can be answered with the failed request's Via/From/To/Call-ID/CSeq.
    let tail: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      let messages: Buffer[];
      const seen = tail.length === 0 ? chunk : Buffer.concat([tail, chunk]);
      try {
        messages = framer.push(chunk);
      } catch (err) {
        this.#framingError(socket, err, seen);
        return;
      }
      tail = framer.pendingBytes === 0 ? Buffer.alloc(0) : seen.subarray(Math.max(0, seen.length - framer.pendingBytes));
      slow(framer.pendingBytes > 0);
      for (const message of messages) {
        try {
          this.opts.onMessage(message, source);
        } catch (err) {
          this.opts.log.error({ err }, 'sip tcp handler failed');
        }
      }
    });
  }

  /** Counts an inbound connection against its source's cap; false (and closed) when over it. */
  #admitSource(socket: Socket, address: string): boolean {
    const n = this.#perSource.get(address) ?? 0;
    if (n >= (this.opts.maxConnectionsPerSource ?? Infinity)) {
      metrics.sipLimitHits.inc({ limit: 'tcp-connections-per-source' });
      socket.destroy();
      return false;
    }
    this.#perSource.set(address, n + 1);
    socket.once('close', () => {
      const left = (this.#perSource.get(address) ?? 1) - 1;
      if (left <= 0) this.#perSource.delete(address);
      else this.#perSource.set(address, left);
    });
    return true;
  }

  /**
   * A deadline for the message being received: armed when bytes of a message start waiting in the
   * framer, cleared when no partial message is left. Trickling does not move it (total time bound).
   */
  #slowSenderGuard(socket: Socket): (partial: boolean) => void {
    const ms = this.opts.messageTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    socket.once('close', () => clearTimeout(timer));
    return (partial) => {
      if (ms === undefined) return;
      if (!partial) {
        clearTimeout(timer);
        timer = undefined;
      } else if (timer === undefined) {
        timer = setTimeout(() => {
          metrics.sipLimitHits.inc({ limit: 'tcp-message-timeout' });
          socket.destroy();
        }, ms);
        timer.unref();
      }
    };
  }

  #framingError(socket: Socket, err: unknown, pending: Buffer): void {
    let answer: Buffer | undefined;
    try {
      answer = this.opts.framingErrorResponse?.(err, pending);
    } catch {
      answer = undefined;
    }
    metrics.sipParseErrors.inc({ transport: 'tcp', action: answer === undefined ? 'dropped' : 'answered' });
    socket.removeAllListeners('data');
    if (answer !== undefined) socket.end(answer);
    else socket.destroy();
    // end() waits for the peer's FIN; do not let a silent peer hold the socket.
    setTimeout(() => socket.destroy(), 2000).unref();
  }
}
