import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamFramer } from '../../../../../gateway/sip/embedded/stream-framer.ts';
import { SipParseError } from '../../../../../gateway/sip/embedded/parser.ts';

const msg = (body: string, extra = ''): string =>
  `OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

test('splits back-to-back messages and frames bodies by Content-Length', () => {
  const f = new StreamFramer({ maxMessageBytes: 10_000 });
  const a = msg('hello\r\n\r\nworld');
  const b = msg('');
  const out = f.push(Buffer.from(a + b));
  assert.deepEqual(out.map((x) => x.toString()), [a, b]);
  assert.equal(f.pendingBytes, 0);
});

test('reassembles a message trickled one byte at a time', () => {
  const f = new StreamFramer({ maxMessageBytes: 10_000 });
  const a = Buffer.from(msg('v=0\r\n', 'l: 5\r\n'));
  const got: Buffer[] = [];
  for (let i = 0; i < a.length; i++) got.push(...f.push(a.subarray(i, i + 1)));
  assert.equal(got.length, 1);
  assert.deepEqual(got[0], a);
});

test('folded Content-Length header is found', () => {
  const f = new StreamFramer({ maxMessageBytes: 10_000 });
  const s = 'OPTIONS sip:a@b SIP/2.0\r\nContent-Length:\r\n 3\r\n\r\nabc';
  assert.deepEqual(f.push(Buffer.from(s)).map(String), [s]);
});

test('double-CRLF pings are reported; single CRLFs are skipped (RFC 5626 §3.5.1)', () => {
  let pings = 0;
  const f = new StreamFramer({ maxMessageBytes: 10_000, onPing: () => pings++ });
  assert.deepEqual(f.push(Buffer.from('\r\n\r\n')), []);
  assert.equal(pings, 1);
  // A ping split across reads is still one ping.
  f.push(Buffer.from('\r\n'));
  assert.equal(pings, 1);
  assert.equal(f.pendingBytes, 2);
  f.push(Buffer.from('\r\n'));
  assert.equal(pings, 2);
  const a = msg('');
  assert.deepEqual(f.push(Buffer.from(`\r\n${a}\r\n\r\n`)).map(String), [a]);
  assert.equal(pings, 3);
  assert.equal(f.pendingBytes, 0);
});

test('waits for a body that has not arrived (RFC 4475 clerr over TCP)', () => {
  const f = new StreamFramer({ maxMessageBytes: 100_000 });
  const head = 'INVITE sip:a@b SIP/2.0\r\nContent-Length: 9999\r\n\r\nv=0\r\n';
  assert.deepEqual(f.push(Buffer.from(head)), []);
  assert.equal(f.pendingBytes, Buffer.byteLength(head));
});

function framingError(f: StreamFramer, s: string): SipParseError {
  try {
    f.push(Buffer.from(s));
  } catch (e) {
    assert.ok(e instanceof SipParseError);
    return e;
  }
  assert.fail('expected a framing error');
}

test('framing errors: missing, negative, conflicting Content-Length → 400; stays failed', () => {
  for (const bad of ['OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\n\r\n', 'OPTIONS sip:a@b SIP/2.0\r\nContent-Length: -999\r\n\r\n',
    'OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 13\r\nl: 5\r\n\r\n', 'OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 1x\r\n\r\n']) {
    const f = new StreamFramer({ maxMessageBytes: 10_000 });
    assert.equal(framingError(f, bad).status, 400, bad);
    assert.throws(() => f.push(Buffer.from(msg(''))), SipParseError);
  }
});

test('size caps: header section → 513, message → 413, without unbounded buffering', () => {
  const f = new StreamFramer({ maxMessageBytes: 1000 });
  f.push(Buffer.from('INVITE sip:a@b SIP/2.0\r\n'));
  assert.equal(framingError(f, 'X: ' + 'y'.repeat(2000)).status, 513);
  const g = new StreamFramer({ maxMessageBytes: 1000 });
  assert.equal(framingError(g, 'INVITE sip:a@b SIP/2.0\r\nContent-Length: 5000\r\n\r\n').status, 413);
  const h = new StreamFramer({ maxMessageBytes: 1000 });
  assert.equal(framingError(h, 'INVITE sip:a@b SIP/2.0\r\nContent-Length: 99999999999999999999\r\n\r\n').status, 413);
  const k = new StreamFramer({ maxMessageBytes: 100_000, maxHeaderBytes: 100 });
  assert.equal(framingError(k, 'a'.repeat(101)).status, 513);
});
