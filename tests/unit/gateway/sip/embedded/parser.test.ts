import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage, SipParseError } from '../../../../../gateway/sip/embedded/parser.ts';
import type { SipRequest } from '../../../../../gateway/sip/embedded/message.ts';

const crlf = (lines: string[]): Buffer => Buffer.from(lines.join('\r\n'), 'utf8');
const HEAD = [
  'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds',
  'Max-Forwards: 70',
  'To: <sip:bob@example.com>',
  'From: "Alice" <sip:alice@example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.example.com',
  'CSeq: 314159 INVITE',
];
const invite = (extra: string[] = [], body = '', startLine = 'INVITE sip:bob@example.com SIP/2.0'): Buffer =>
  crlf([startLine, ...HEAD, ...extra, '', body]);

function parseError(buf: Buffer, opts?: Parameters<typeof parseMessage>[1]): SipParseError {
  try {
    parseMessage(buf, opts);
  } catch (e) {
    assert.ok(e instanceof SipParseError, `threw ${String(e)}`);
    return e;
  }
  assert.fail('expected a SipParseError');
}

test('parses a request: start line, headers, body framed by Content-Length', () => {
  const m = parseMessage(invite(['Content-Type: application/sdp', 'Content-Length: 4'], 'v=0\n')) as SipRequest;
  assert.equal(m.kind, 'request');
  assert.equal(m.method, 'INVITE');
  assert.equal(m.uri, 'sip:bob@example.com');
  assert.equal(m.version, 'SIP/2.0');
  assert.equal(m.headers.get('call-id'), 'a84b4c76e66710@pc33.example.com');
  assert.equal(m.body.toString(), 'v=0\n');
});

test('parses a response, including an empty and a UTF-8 reason phrase', () => {
  const r = parseMessage(crlf(['SIP/2.0 180 Ringing', ...HEAD, 'Content-Length: 0', '', '']));
  assert.equal(r.kind, 'response');
  assert.ok(r.kind === 'response' && r.status === 180 && r.reason === 'Ringing');
  const e = parseMessage(crlf(['SIP/2.0 100 ', ...HEAD, '', '']));
  assert.ok(e.kind === 'response' && e.reason === '');
  const u = parseMessage(crlf(['SIP/2.0 200 = 2**3 * 5**2 но сто девяносто девять', ...HEAD, '', '']));
  assert.ok(u.kind === 'response' && u.reason.endsWith('девять'));
});

test('unfolds continuation lines, compact names, LWS around the colon, leading CRLFs', () => {
  const m = parseMessage(Buffer.concat([Buffer.from('\r\n\r\n'), invite(['Subject  :  hello', ' world', 'k: timer,', '\t100rel', 'l: 0'])]));
  assert.equal(m.headers.get('Subject'), 'hello world');
  assert.deepEqual(m.headers.getAll('Supported'), ['timer', '100rel']);
});

test('UDP: octets beyond Content-Length are ignored; no Content-Length means the rest (RFC 3261 §18.3)', () => {
  const m = parseMessage(invite(['Content-Type: text/plain', 'Content-Length: 3'], 'abcINVITE sip:x SIP/2.0'));
  assert.equal(m.body.toString(), 'abc');
  const n = parseMessage(invite(['Content-Type: text/plain'], 'rest of datagram'));
  assert.equal(n.body.toString(), 'rest of datagram');
});

test('body with NUL and bare CR is framed by count only', () => {
  const body = Buffer.from([0x00, 0x0d, 0x41, 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x42]);
  const head = Buffer.from([`INVITE sip:bob@example.com SIP/2.0`, ...HEAD, 'Content-Type: application/octet-stream', `Content-Length: ${body.length}`, '', ''].join('\r\n'));
  const m = parseMessage(Buffer.concat([head, body, Buffer.from('trailing')]));
  assert.deepEqual(m.body, body);
});

test('Content-Length errors give 400 with the partial request', () => {
  for (const cl of [['Content-Length: -1'], ['Content-Length: abc'], ['Content-Length: 4', 'l: 5'], ['Content-Length: 9999']]) {
    const e = parseError(invite(['Content-Type: text/plain', ...cl], 'abcd'));
    assert.equal(e.status, 400, cl.join());
    assert.equal(e.request?.headers.get('Call-ID'), 'a84b4c76e66710@pc33.example.com');
    assert.equal(e.request?.method, 'INVITE');
  }
  // Equal duplicates are harmless.
  assert.equal(parseMessage(invite(['Content-Length: 0', 'l: 000'])).body.length, 0);
});

test('TCP: a missing Content-Length is a 400 (RFC 3261 §18.3)', () => {
  assert.equal(parseError(invite([]), { transport: 'tcp' }).status, 400);
  assert.equal(parseMessage(invite(['Content-Length: 0']), { transport: 'tcp' }).body.length, 0);
});

test('maxBytes: 513 Message Too Large', () => {
  const e = parseError(invite(['Content-Type: text/plain', 'Content-Length: 100'], 'x'.repeat(100)), { maxBytes: 200 });
  assert.equal(e.status, 513);
  assert.ok(e.request);
});

test('start-line errors: 505 for another version, 400 for malformed ones', () => {
  assert.equal(parseError(invite([], '', 'INVITE sip:bob@example.com SIP/7.0')).status, 505);
  for (const sl of ['INVITE sip:bob@example.com SIP/2.0x', 'INVITE  sip:bob@example.com  SIP/2.0', 'INVITE <sip:bob@example.com> SIP/2.0',
    'INVITE sip:bob@example.com; lr SIP/2.0', 'INV ITE sip:bob@example.com SIP/2.0', ' sip:bob@example.com SIP/2.0',
    'INVITE sip:bob@example.com?Route=%3Csip:x%3E SIP/2.0', 'INVITE sip:2001:db8::10 SIP/2.0']) {
    const e = parseError(invite([], '', sl));
    assert.equal(e.status, 400, sl);
    assert.ok(e.request, sl);
  }
  // Trailing whitespace on the request line is tolerated (RFC 4475 §3.1.2.10).
  assert.equal((parseMessage(invite([], '', 'OPTIONS sip:bob@example.com SIP/2.0  ')) as SipRequest).version, 'SIP/2.0');
});

test('nothing answerable: no start line, malformed responses → status undefined', () => {
  for (const buf of [Buffer.from(''), Buffer.from('garbage'), Buffer.from('\x00\x01\x02\r\n\r\n'),
    crlf(['SIP/2.0 4294967301 big', ...HEAD, '', '']), crlf(['SIP/2.0 99 low', ...HEAD, '', '']),
    crlf(['SIP/2.0 200 OK', ...HEAD, 'CSeq: 9292394834772304023312 OPTIONS', '', '']), crlf(['SIP/3.0 200 OK', ...HEAD, '', ''])]) {
    assert.equal(parseError(buf).status, undefined, buf.toString().slice(0, 30));
  }
});

test('malformed header lines and core header values give 400', () => {
  for (const extra of [['NoColonHere'], ['Bad Name: x'], ['Via: SIP/2.0/UDP 192.0.2.15;;,;,,'], ['Contact: "Joe" <sip:joe@example.org>;;;;'],
    ['Max-Forwards: 256'], ['Max-Forwards: x'], ['Route: <sip:a'], ['Call-ID: a b']]) {
    assert.equal(parseError(invite(extra)).status, 400, extra[0]);
  }
  assert.equal(parseError(crlf(['INVITE sip:a@b SIP/2.0', ' folded-first', ...HEAD, '', ''])).status, 400);
  assert.equal(parseError(crlf(['INVITE sip:a@b SIP/2.0', ...HEAD, 'X: a\rb', '', ''])).status, 400);
  // Missing empty line after the headers (RFC 4475 baddn framing).
  assert.equal(parseError(crlf(['OPTIONS sip:a@b SIP/2.0', ...HEAD])).status, 400);
});

test('CSeq must be below 2^31 (RFC 3261 §8.1.1.5)', () => {
  const ok = Buffer.from(invite().toString().replace('CSeq: 314159', 'CSeq: 2147483647'));
  assert.equal(parseMessage(ok).headers.get('CSeq'), '2147483647 INVITE');
  const big = Buffer.from(invite().toString().replace('CSeq: 314159', 'CSeq: 2147483648'));
  assert.equal(parseError(big).status, 400);
});

test('pathological input finishes quickly and only ever throws SipParseError', () => {
  const inputs = [
    'INVITE ' + ' '.repeat(200_000) + 'x SIP/2.0\r\n\r\n',
    'INVITE sip:a@b SIP/2.0\r\nVia: ' + '"'.repeat(100_000) + '\r\n\r\n',
    'INVITE sip:a@b SIP/2.0\r\nContact: ' + '<'.repeat(100_000) + '\r\n\r\n',
    'INVITE sip:a@b SIP/2.0\r\n' + 'X: y\r\n'.repeat(20_000) + '\r\n',
    'INVITE sip:a@b SIP/2.0\r\nCSeq: ' + '0'.repeat(100_000) + '1 INVITE\r\n\r\n',
    'INVITE sip:a@b SIP/2.0\r\nTo: ' + ';'.repeat(100_000) + '\r\n\r\n',
    'INVITE sip:' + '%'.repeat(100_000) + '@b SIP/2.0\r\n\r\n',
    'SIP/2.0 200 ' + '\t'.repeat(100_000) + '\r\n\r\n',
  ];
  const t0 = performance.now();
  for (const s of inputs) {
    try {
      parseMessage(Buffer.from(s));
    } catch (e) {
      assert.ok(e instanceof SipParseError);
    }
  }
  assert.ok(performance.now() - t0 < 2000, `took ${performance.now() - t0} ms`);
});
