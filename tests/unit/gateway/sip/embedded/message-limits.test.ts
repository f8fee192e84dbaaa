/**
 * Hostile-input limits of the embedded stack: header count and line length in the parser (513 /
 * 414 with the request still readable so it can be answered), and on TCP a cap on connections per
 * source and a deadline for receiving a whole message (slow senders are closed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { parseMessage, SipParseError } from '../../../../../gateway/sip/embedded/parser.ts';
import { TcpTransport } from '../../../../../gateway/sip/embedded/transport-tcp.ts';
import { silentLogger } from '../../../../../gateway/log.ts';

function invite(extraHeaders: string, uriUser = '100'): Buffer {
  return Buffer.from(
    `INVITE sip:${uriUser}@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK1\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\n` +
      `To: <sip:100@127.0.0.1>\r\nCall-ID: lim-1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n${extraHeaders}Content-Length: 0\r\n\r\n`,
  );
}

function parseError(buf: Buffer, opts: Parameters<typeof parseMessage>[1]): SipParseError {
  try {
    parseMessage(buf, opts);
  } catch (e) {
    assert.ok(e instanceof SipParseError);
    return e;
  }
  assert.fail('parsed');
}

test('too many header fields → 513 with the request readable', () => {
  const many = Array.from({ length: 120 }, (_, i) => `X-H${i}: v\r\n`).join('');
  const e = parseError(invite(many), { maxHeaders: 100, maxLineBytes: 8192 });
  assert.equal(e.status, 513);
  assert.equal(e.request?.headers.get('Call-ID'), 'lim-1');
  assert.doesNotThrow(() => parseMessage(invite(many), { maxHeaders: 200 }));
});

test('a header field longer than maxLineBytes (folded lines joined) → 513; a long Request-URI → 414', () => {
  const long = `Subject: ${'a'.repeat(5000)}\r\n ${'b'.repeat(5000)}\r\n`;
  assert.equal(parseError(invite(long), { maxLineBytes: 8192 }).status, 513);
  assert.doesNotThrow(() => parseMessage(invite(long), { maxLineBytes: 16384 }));
  assert.equal(parseError(invite('', 'u'.repeat(9000)), { maxLineBytes: 8192 }).status, 414);
});

async function withTransport(opts: { messageTimeoutMs?: number; maxConnectionsPerSource?: number }, fn: (port: number, t: TcpTransport, received: Buffer[]) => Promise<void>): Promise<void> {
  const received: Buffer[] = [];
  const t = new TcpTransport({ bind: '127.0.0.1', port: 0, log: silentLogger, onMessage: (m) => received.push(m), maxMessageBytes: 65535, ...opts });
  const port = await t.listen();
  try {
    await fn(port, t, received);
  } finally {
    await t.close();
  }
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1' }, () => resolve(s));
    s.on('error', reject);
  });
}

function closed(s: Socket, withinMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (s.destroyed) return resolve(true);
    const t = setTimeout(() => resolve(false), withinMs);
    s.on('close', () => {
      clearTimeout(t);
      resolve(true);
    });
    s.on('error', () => undefined);
  });
}

test('TCP: a sender that starts a message but does not finish it in time is closed; a whole message is fine', async () => {
  await withTransport({ messageTimeoutMs: 300 }, async (port, _t, received) => {
    const good = await open(port);
    good.write(invite(''));
    const slow = await open(port);
    slow.write(invite('').subarray(0, 40));
    const trickle = setInterval(() => slow.writable && slow.write('X'), 50);
    const wasClosed = await closed(slow, 2000);
    clearInterval(trickle);
    assert.equal(wasClosed, true, 'trickling does not extend the deadline');
    assert.equal(received.length, 1);
    assert.equal(await closed(good, 500), false, 'a connection with no partial message stays open');
    good.destroy();
  });
});

test('TCP: connections per source are capped; closing one frees a slot', async () => {
  await withTransport({ maxConnectionsPerSource: 3 }, async (port, t) => {
    const socks = await Promise.all([1, 2, 3, 4].map(() => open(port)));
    const fates = await Promise.all(socks.map((s) => closed(s, 400)));
    assert.deepEqual(fates.filter(Boolean).length, 1, 'exactly the fourth is closed');
    assert.equal(t.connectionCount, 3);
    socks.find((s, i) => !fates[i])!.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const again = await open(port);
    assert.equal(await closed(again, 300), false);
    for (const s of [...socks, again]) s.destroy();
  });
});
