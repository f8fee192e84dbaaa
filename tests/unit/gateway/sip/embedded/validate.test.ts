import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from '../../../../../gateway/sip/embedded/parser.ts';
import { SUPPORTED_OPTION_TAGS, validateRequest } from '../../../../../gateway/sip/embedded/validate.ts';
import type { SipRequest } from '../../../../../gateway/sip/embedded/message.ts';

const BASE: Record<string, string> = {
  Via: 'SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1',
  'Max-Forwards': '70',
  To: '<sip:bob@example.com>',
  From: '<sip:alice@example.com>;tag=1',
  'Call-ID': 'c1@x',
  CSeq: '1 INVITE',
};

function request(opts: { method?: string; uri?: string; headers?: Record<string, string | null>; extra?: string[]; body?: string } = {}): SipRequest {
  const method = opts.method ?? 'INVITE';
  const hs: Record<string, string | null> = { ...BASE, CSeq: `1 ${method}`, ...opts.headers };
  const lines = [`${method} ${opts.uri ?? 'sip:bob@example.com'} SIP/2.0`];
  for (const [k, v] of Object.entries(hs)) if (v !== null) lines.push(`${k}: ${v}`);
  lines.push(...(opts.extra ?? []));
  const body = opts.body ?? '';
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`, '', body);
  const m = parseMessage(Buffer.from(lines.join('\r\n')));
  assert.equal(m.kind, 'request');
  return m as SipRequest;
}

test('a plain INVITE, with SDP, passes', () => {
  assert.equal(validateRequest(request()), undefined);
  assert.equal(validateRequest(request({ extra: ['Content-Type: application/sdp'], body: 'v=0\r\n' })), undefined);
  assert.equal(validateRequest(request({ extra: ['Content-Type: Application/SDP ; charset=x'], body: 'v=0\r\n' })), undefined);
});

test('missing mandatory headers → 400; missing Max-Forwards is tolerated', () => {
  for (const name of ['To', 'From', 'CSeq', 'Call-ID', 'Via']) {
    const v = validateRequest(request({ headers: { [name]: null } }));
    assert.equal(v?.status, 400, name);
  }
  assert.equal(validateRequest(request({ headers: { 'Max-Forwards': null } })), undefined);
  assert.equal(validateRequest(request({ headers: { 'Max-Forwards': '0' } })), undefined);
});

test('duplicated single-instance headers → 400 (RFC 4475 multi01)', () => {
  for (const extra of ['To: <sip:other@example.net>', 'Call-ID: c2@x', 'CSeq: 2 INVITE', 'Max-Forwards: 5', 'From: <sip:x@y>;tag=2']) {
    assert.equal(validateRequest(request({ extra: [extra] }))?.status, 400, extra);
  }
});

test('CSeq method must equal the request method', () => {
  const v = validateRequest(request({ method: 'OPTIONS', headers: { CSeq: '1 INVITE' } }));
  assert.equal(v?.status, 400);
  assert.equal(validateRequest(request({ method: 'NEWMETHOD', headers: { CSeq: '1 INVITE' } }))?.status, 400);
});

test('Request-URI scheme: sip, sips, tel accepted; others → 416', () => {
  assert.equal(validateRequest(request({ uri: 'sips:bob@example.com' })), undefined);
  assert.equal(validateRequest(request({ uri: 'tel:+15551234567' })), undefined);
  assert.equal(validateRequest(request({ uri: 'nobodyKnowsThisScheme:totallyopaquecontent' }))?.status, 416);
  assert.equal(validateRequest(request({ uri: 'soap.beep://192.0.2.103:3002' }))?.status, 416);
});

test('Require with unknown option tags → 420 listing them in Unsupported', () => {
  assert.deepEqual(SUPPORTED_OPTION_TAGS, []);
  const v = validateRequest(request({ method: 'OPTIONS', extra: ['Require: nothingSupportsThis, nothingSupportsThisEither'] }));
  assert.deepEqual(v, { status: 420, reason: 'Bad Extension', headers: { Unsupported: 'nothingSupportsThis, nothingSupportsThisEither' } });
  // Proxy-Require is for proxies; a UAS ignores it.
  assert.equal(validateRequest(request({ method: 'OPTIONS', extra: ['Proxy-Require: x'] })), undefined);
  // ACK and CANCEL are never answered with 420 (§8.2.2.3).
  assert.equal(validateRequest(request({ method: 'CANCEL', extra: ['Require: x'] })), undefined);
});

test('INVITE with a non-SDP body → 415 with Accept; multipart/mixed with SDP passes', () => {
  const v = validateRequest(request({ extra: ['Content-Type: application/unknownformat'], body: '<audio/>' }));
  assert.deepEqual(v, { status: 415, reason: 'Unsupported Media Type', headers: { Accept: 'application/sdp' } });
  const mp = '--b\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n--b--\r\n';
  assert.equal(validateRequest(request({ extra: ['Content-Type: multipart/mixed;boundary=b'], body: mp })), undefined);
  const gz = validateRequest(request({ extra: ['Content-Type: application/sdp', 'Content-Encoding: gzip'], body: 'x' }));
  assert.equal(gz?.status, 415);
  assert.equal(validateRequest(request({ body: 'v=0' }))?.status, 400);
  // Non-INVITE bodies are the method handler's business.
  assert.equal(validateRequest(request({ method: 'MESSAGE', extra: ['Content-Type: text/plain'], body: 'hi' })), undefined);
});

test('INVITE whose Accept excludes SDP → 406', () => {
  assert.equal(validateRequest(request({ extra: ['Accept: text/nobodyKnowsThis'] }))?.status, 406);
  assert.equal(validateRequest(request({ extra: ['Accept:'] }))?.status, 406);
  assert.equal(validateRequest(request({ extra: ['Accept: application/sdp;q=0'] }))?.status, 406);
  for (const ok of ['Accept: text/html, application/sdp', 'Accept: application/*', 'Accept: */*;q=0.5']) {
    assert.equal(validateRequest(request({ extra: [ok] })), undefined, ok);
  }
});
