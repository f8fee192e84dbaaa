import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Logger } from '../../log.ts';
import type { Endpoint } from './message.ts';
import type { MessageHandler, SipTransport } from './transport.ts';
import { metrics } from '../../metrics.ts';

/**
 * SIP over UDP (RFC 3261 §18). One datagram is one message. Responses are always sent to the
 * datagram's source address and port (symmetric response routing, RFC 3581 §4) — never to a host
 * named in a Via, which may be anyone (RFC 4475's torture messages name foreign hosts).
 */
export class UdpTransport implements SipTransport {
  readonly kind = 'udp' as const;
  readonly reliable = false;
  #socket: Socket | undefined;
  #port = 0;

  constructor(
    private readonly opts: {
      readonly bind: string;
      readonly port: number;
      readonly log: Logger;
      readonly onMessage: MessageHandler;
    },
  ) {}

  get port(): number {
    return this.#port;
  }

  listen(): Promise<number> {
    const socket = createSocket({ type: isIPv6(this.opts.bind) ? 'udp6' : 'udp4', reuseAddr: false });
    this.#socket = socket;
    socket.on('message', (data, rinfo) => {
      const source: Endpoint = { address: rinfo.address, port: rinfo.port, transport: 'udp' };
      try {
        this.opts.onMessage(data, source);
      } catch (err) {
        // The handler has its own boundary; this one only guarantees the socket keeps reading.
        this.opts.log.error({ err }, 'sip udp handler failed');
      }
    });
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      socket.once('error', onError);
      socket.bind(this.opts.port, this.opts.bind, () => {
        socket.off('error', onError);
        socket.on('error', (err) => this.opts.log.warn({ err }, 'sip udp socket error'));
        this.#port = socket.address().port;
        resolve(this.#port);
      });
    });
  }

  send(data: Buffer, to: Endpoint): void {
    const socket = this.#socket;
    if (socket === undefined) return;
    socket.send(data, to.port, to.address, (err) => {
      if (err) {
        metrics.sipDropped.inc({ reason: 'send-failed' });
        this.opts.log.debug({ err }, 'sip udp send failed');
      }
    });
  }

  close(): Promise<void> {
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket === undefined) return Promise.resolve();
    return new Promise((resolve) => socket.close(() => resolve()));
  }
}
