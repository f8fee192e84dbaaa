import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';

/**
 * Byte-exact SIP over loopback UDP/TCP for the torture tests: send a file's bytes unmodified, collect
 * what comes back until a final response (RFC 3261 §7.2: 2xx–6xx) or a time limit, and probe liveness
 * with a well-formed OPTIONS. Responses are matched only by arriving on our socket, so the gateway
 * must answer to the packet source (RFC 3581 rport behaviour), as a trunk-facing UAS should.
 */

export const CONNECTION_CLOSED = '<connection closed by server>';

function isLoopback(host: string): boolean {
  return host === '::1' || host.startsWith('127.');
}

export function assertLoopback(host: string): void {
  if (!isLoopback(host)) throw new Error(`refusing non-loopback target ${host}`);
}

/** Status code of a response's first line, or null for requests and junk. */
export function statusOf(msg: string): number | null {
  const m = /^SIP\/2\.0 (\d{3})/.exec(msg);
  return m ? Number(m[1]) : null;
}

export function firstLine(msg: string): string {
  return msg.split('\r\n', 1)[0] ?? '';
}

export class UdpPeer {
  private readonly queue: string[] = [];
  private notify: (() => void) | null = null;

  private constructor(
    private readonly sock: dgram.Socket,
    readonly localPort: number,
  ) {
    sock.on('message', (m) => {
      this.queue.push(m.toString('latin1'));
      this.notify?.();
    });
  }

  static async open(): Promise<UdpPeer> {
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(0, '127.0.0.1', () => resolve());
    });
    return new UdpPeer(sock, sock.address().port);
  }

  send(payload: Buffer | string, host: string, port: number): Promise<void> {
    assertLoopback(host);
    return new Promise((resolve, reject) => this.sock.send(payload, port, host, (e) => (e ? reject(e) : resolve())));
  }

  /** Drops anything that arrived late for a previous case. */
  drain(): void {
    this.queue.length = 0;
  }

  /** Messages received until a final response arrives or `waitMs` passes. */
  async collect(waitMs: number): Promise<string[]> {
    const got: string[] = [];
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      const m = this.queue.shift();
      if (m !== undefined) {
        got.push(m);
        const st = statusOf(m);
        if (st !== null && st >= 200) break;
        continue;
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.notify = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.notify = null;
    }
    return got;
  }

  async exchange(payload: Buffer | string, host: string, port: number, waitMs: number): Promise<string[]> {
    this.drain();
    await this.send(payload, host, port);
    return this.collect(waitMs);
  }

  close(): void {
    this.sock.close();
  }
}

/** One TCP connection per message: send, read until a final response, close or `waitMs`. */
export function tcpExchange(payload: Buffer, host: string, port: number, waitMs: number): Promise<string[]> {
  assertLoopback(host);
  return new Promise((resolve) => {
    const got: string[] = [];
    let buf = '';
    let finished = false;
    const sock = net.createConnection({ host, port });
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      // A stream may carry several responses (100 Trying, then the final one): split them.
      if (buf) got.unshift(...buf.split(/(?=SIP\/2\.0 \d{3} )/).filter((m) => m !== ''));
      sock.destroy();
      resolve(got);
    };
    const timer = setTimeout(finish, waitMs);
    sock.on('connect', () => sock.write(payload));
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      // Stop at the first complete final response; provisional ones may precede it on the stream.
      for (const msg of buf.split(/(?=SIP\/2\.0 \d{3} )/)) {
        const st = statusOf(msg);
        if (st !== null && st >= 200 && msg.includes('\r\n\r\n')) return finish();
      }
    });
    sock.on('end', () => {
      got.push(CONNECTION_CLOSED);
      finish();
    });
    sock.on('error', (e) => {
      got.push(`<tcp error ${(e as NodeJS.ErrnoException).code ?? e.message}>`);
      finish();
    });
  });
}

export function optionsProbe(localPort: number, target: { host: string; port: number }): string {
  const b = randomBytes(8).toString('hex');
  return (
    `OPTIONS sip:probe@${target.host}:${target.port} SIP/2.0\r\n` +
    `Via: SIP/2.0/UDP 127.0.0.1:${localPort};rport;branch=z9hG4bK${b}\r\n` +
    `Max-Forwards: 70\r\n` +
    `To: <sip:probe@${target.host}>\r\n` +
    `From: <sip:liveness@127.0.0.1>;tag=${b.slice(0, 8)}\r\n` +
    `Call-ID: ${b}@127.0.0.1\r\n` +
    `CSeq: 1 OPTIONS\r\n` +
    `Content-Length: 0\r\n\r\n`
  );
}

function header(msg: string, name: string): string | null {
  const re = new RegExp(`^${name}\\s*:\\s*(.*)$`, 'im');
  const m = re.exec(msg.split('\r\n\r\n', 1)[0] ?? '');
  return m ? (m[1] ?? '').trim() : null;
}

/**
 * ACK for a non-2xx final response to an INVITE we sent as raw bytes (RFC 3261 §17.1.1.3): same
 * Request-URI, the response's top Via (hence the INVITE's branch), To with the response's tag. Without
 * it the gateway keeps retransmitting the response (Timer G) until Timer H.
 */
export async function ackNon2xx(peer: UdpPeer, resp: string, request: Buffer, target: { host: string; port: number }): Promise<boolean> {
  const ruri = /^INVITE\s+(\S+)\s+SIP\/2\.0/.exec(request.toString('latin1'))?.[1];
  const via = header(resp, 'Via') ?? header(resp, 'v');
  const from = header(resp, 'From') ?? header(resp, 'f');
  const to = header(resp, 'To') ?? header(resp, 't');
  const callId = header(resp, 'Call-ID') ?? header(resp, 'i');
  const n = Number.parseInt(header(resp, 'CSeq') ?? '', 10);
  if (!ruri || !via || !from || !to || !callId || !Number.isFinite(n)) return false;
  const ack =
    `ACK ${ruri} SIP/2.0\r\nVia: ${via}\r\nMax-Forwards: 70\r\nFrom: ${from}\r\nTo: ${to}\r\n` +
    `Call-ID: ${callId}\r\nCSeq: ${n} ACK\r\nContent-Length: 0\r\n\r\n`;
  await peer.send(ack, target.host, target.port);
  return true;
}

/**
 * After a 2xx to an INVITE we sent as raw bytes, ACK it and hang up (RFC 3261 §13.2.2.4, §15.1.1)
 * so torture calls do not linger until the gateway's ACK timeout. Best effort: returns false when
 * the response lacks what a dialog needs.
 */
export async function ackAndBye(peer: UdpPeer, ok: string, target: { host: string; port: number }): Promise<boolean> {
  const from = header(ok, 'From') ?? header(ok, 'f');
  const to = header(ok, 'To') ?? header(ok, 't');
  const callId = header(ok, 'Call-ID') ?? header(ok, 'i');
  const cseq = header(ok, 'CSeq');
  const contact = header(ok, 'Contact') ?? header(ok, 'm');
  if (!from || !to || !callId || !cseq) return false;
  const n = Number.parseInt(cseq, 10);
  if (!Number.isFinite(n) || n < 0 || n > 2 ** 31) return false;
  const ruri = /<([^>]+)>/.exec(contact ?? '')?.[1] ?? `sip:trunkline@${target.host}:${target.port}`;
  const req = (method: string, seq: number): string =>
    `${method} ${ruri} SIP/2.0\r\n` +
    `Via: SIP/2.0/UDP 127.0.0.1:${peer.localPort};rport;branch=z9hG4bK${randomBytes(8).toString('hex')}\r\n` +
    `Max-Forwards: 70\r\nFrom: ${from}\r\nTo: ${to}\r\nCall-ID: ${callId}\r\nCSeq: ${seq} ${method}\r\nContent-Length: 0\r\n\r\n`;
  await peer.send(req('ACK', n), target.host, target.port);
  await peer.exchange(req('BYE', n + 1), target.host, target.port, 1000);
  return true;
}
