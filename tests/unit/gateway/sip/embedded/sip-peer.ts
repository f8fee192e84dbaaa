import { createSocket, type Socket } from 'node:dgram';
import { connect, type Socket as TcpSocket } from 'node:net';
import { parseMessage } from '../../../../../gateway/sip/embedded/parser.ts';
import { StreamFramer } from '../../../../../gateway/sip/embedded/stream-framer.ts';
import type { SipMessage } from '../../../../../gateway/sip/embedded/message.ts';

/** A test caller on loopback: sends raw SIP text, collects parsed messages, waits for matches. */
export class SipPeer {
  readonly received: SipMessage[] = [];
  /** Every message as bytes, including those the parser refuses (a 400 echoing a torture header). */
  readonly raw: Buffer[] = [];
  #taken = new Set<SipMessage>();
  #wake: (() => void) | undefined;

  protected push(data: Buffer): void {
    this.raw.push(data);
    try {
      this.received.push(parseMessage(data));
    } catch {
      return; // a test peer ignores what it cannot read; the test then times out on what it expected
    }
    this.#wake?.();
  }

  /** The first not-yet-taken message matching `pred`, waiting up to `timeoutMs`. */
  async next(pred: (m: SipMessage) => boolean, timeoutMs = 2000): Promise<SipMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find((m) => !this.#taken.has(m) && pred(m));
      if (found) {
        this.#taken.add(found);
        return found;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a SIP message');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  /** Resolves when nothing matching arrives within `ms` (for "no more retransmissions"). */
  async none(pred: (m: SipMessage) => boolean, ms = 150): Promise<boolean> {
    await new Promise((r) => setTimeout(r, ms));
    return !this.received.some((m) => !this.#taken.has(m) && pred(m));
  }
}

export class UdpPeer extends SipPeer {
  readonly socket: Socket = createSocket('udp4');
  constructor(private readonly serverPort: number) {
    super();
    this.socket.on('message', (d) => this.push(d));
  }
  async bind(): Promise<number> {
    await new Promise<void>((r) => this.socket.bind(0, '127.0.0.1', () => r()));
    return this.socket.address().port;
  }
  send(text: string | Buffer): void {
    this.socket.send(typeof text === 'string' ? Buffer.from(text) : text, this.serverPort, '127.0.0.1');
  }
  close(): void {
    this.socket.close();
  }
}

export class TcpPeer extends SipPeer {
  socket!: TcpSocket;
  closed = false;
  readonly #framer = new StreamFramer({ maxMessageBytes: 65535 });
  async connect(port: number): Promise<number> {
    this.socket = connect({ port, host: '127.0.0.1' });
    this.socket.on('data', (chunk) => {
      for (const m of this.#framer.push(chunk)) this.push(m);
    });
    this.socket.on('close', () => (this.closed = true));
    await new Promise<void>((r) => this.socket.once('connect', () => r()));
    return this.socket.localPort!;
  }
  send(text: string): void {
    this.socket.write(text);
  }
  close(): void {
    this.socket.destroy();
  }
}

/** A request as a caller would send it. */
export function sipRequest(
  method: string,
  o: { port: number; transport?: 'UDP' | 'TCP'; branch: string; callId: string; cseq: number; toTag?: string; fromTag?: string; body?: string; extra?: string; uri?: string },
): string {
  const body = o.body ?? '';
  return (
    `${method} ${o.uri ?? 'sip:+15550100@127.0.0.1'} SIP/2.0\r\n` +
    `Via: SIP/2.0/${o.transport ?? 'UDP'} 127.0.0.1:${o.port};branch=${o.branch};rport\r\n` +
    `Max-Forwards: 70\r\n` +
    `From: "Alice" <sip:alice@127.0.0.1>;tag=${o.fromTag ?? 'caller1'}\r\n` +
    `To: <sip:+15550100@127.0.0.1>${o.toTag ? `;tag=${o.toTag}` : ''}\r\n` +
    `Call-ID: ${o.callId}\r\nCSeq: ${o.cseq} ${method}\r\n` +
    `Contact: <sip:alice@127.0.0.1:${o.port}${o.transport === 'TCP' ? ';transport=tcp' : ''}>\r\n` +
    (o.extra ?? '') +
    (body ? 'Content-Type: application/sdp\r\n' : '') +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}
