import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from '../../../../../gateway/sip/embedded/parser.ts';
import { makeRequest, makeResponse, newBranch, reasonPhrase, serialize } from '../../../../../gateway/sip/embedded/serialize.ts';
import { parseVia } from '../../../../../gateway/sip/embedded/header-values.ts';
import type { SipRequest } from '../../../../../gateway/sip/embedded/message.ts';

const INVITE = [
  'INVITE sip:bob@example.com SIP/2.0',
  'v: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp1, SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776;received=10.0.0.1',
  'Max-Forwards: 70',
  't: <sip:bob@example.com>',
  'f: "Alice" <sip:alice@example.com>;tag=1928301774',
  'i: a84b4c76e66710@pc33.example.com',
  'CSeq: 314159 INVITE',
  'Timestamp: 54',
  'c: application/sdp',
  'l: 999',
  '',
  'v=0\r\n',
].join('\r\n');
const req = (): SipRequest => {
  const m = parseMessage(Buffer.from(INVITE.replace('l: 999', 'l: 5')));
  assert.equal(m.kind, 'request');
  return m as SipRequest;
};

test('serialize writes long names, one line per value, and a Content-Length from the body', () => {
  const m = req();
  m.body = Buffer.from('hello world');
  const text = serialize(m).toString();
  assert.match(text, /^INVITE sip:bob@example.com SIP\/2.0\r\n/);
  assert.match(text, /\r\nVia: SIP\/2.0\/UDP proxy.example.com;branch=z9hG4bKp1\r\nVia: SIP\/2.0\/UDP 192.0.2.1:5060/);
  assert.match(text, /\r\nCall-ID: a84b/);
  assert.match(text, /\r\nContent-Length: 11\r\n\r\nhello world$/);
  assert.doesNotMatch(text, /\r\n[ftvil]: /);
  const again = parseMessage(serialize(m));
  assert.deepEqual(again.headers.getAll('Via'), m.headers.getAll('Via'));
  assert.equal(again.body.toString(), 'hello world');
});

test('serialize folds CR/LF in values so they cannot inject headers', () => {
  const m = req();
  m.headers.set('X-Agent', 'a\r\nBYE: injected');
  const text = serialize(m).toString();
  assert.match(text, /\r\nX-Agent: a BYE: injected\r\n/);
});

test('makeResponse copies Via/From/To/Call-ID/CSeq and adds the To tag (RFC 3261 §8.2.6)', () => {
  const r = makeResponse(req(), 180, { toTag: 'abc' });
  assert.equal(r.reason, 'Ringing');
  assert.deepEqual(r.headers.getAll('Via'), req().headers.getAll('Via'));
  assert.equal(r.headers.get('To'), '<sip:bob@example.com>;tag=abc');
  assert.equal(r.headers.get('From'), '"Alice" <sip:alice@example.com>;tag=1928301774');
  assert.equal(r.headers.get('CSeq'), '314159 INVITE');
  assert.equal(r.headers.has('Timestamp'), false);
  const reparsed = parseMessage(serialize(r));
  assert.ok(reparsed.kind === 'response' && reparsed.status === 180);
});

test('makeResponse: no tag on 100 Trying (Timestamp echoed), none when To already has one', () => {
  const t = makeResponse(req(), 100, { toTag: 'abc' });
  assert.equal(t.headers.get('To'), '<sip:bob@example.com>');
  assert.equal(t.headers.get('Timestamp'), '54');
  const inDialog = req();
  inDialog.headers.set('To', '<sip:bob@example.com>;tag=existing');
  assert.equal(makeResponse(inDialog, 200, { toTag: 'new' }).headers.get('To'), '<sip:bob@example.com>;tag=existing');
});

test('makeResponse: reason, extra headers and body', () => {
  const r = makeResponse(req(), 420, { headers: { Unsupported: 'foo, bar' } });
  assert.equal(r.reason, 'Bad Extension');
  assert.deepEqual(r.headers.getAll('Unsupported'), ['foo', 'bar']);
  const b = makeResponse(req(), 200, { reason: 'Fine', toTag: 't', body: { type: 'application/sdp', data: Buffer.from('v=0\r\n') } });
  assert.equal(b.reason, 'Fine');
  const text = serialize(b).toString();
  assert.match(text, /^SIP\/2.0 200 Fine\r\n/);
  assert.match(text, /\r\nContent-Type: application\/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n$/);
});

test('reason phrases: table and class defaults', () => {
  assert.equal(reasonPhrase(481), 'Call/Transaction Does Not Exist');
  assert.equal(reasonPhrase(505), 'Version Not Supported');
  assert.equal(reasonPhrase(499), 'Client Error');
});

test('makeRequest builds a well-formed in-dialog request', () => {
  const bye = makeRequest({
    method: 'BYE', uri: 'sip:alice@192.0.2.1:5060', via: { transport: 'udp', host: '127.0.0.1', port: 5060, rport: true },
    from: '<sip:bob@example.com>;tag=abc', to: '"Alice" <sip:alice@example.com>;tag=1928301774', callId: 'cid@x', cseq: 2,
    route: ['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>'], headers: { Reason: 'SIP;cause=200;text="done"' },
  });
  const m = parseMessage(serialize(bye));
  assert.ok(m.kind === 'request' && m.method === 'BYE');
  const via = parseVia(m.headers.get('Via')!);
  assert.equal(via.protocol, 'SIP/2.0/UDP');
  assert.ok(via.branch?.startsWith('z9hG4bK') && via.branch.length > 10);
  assert.ok(via.rport);
  assert.equal(m.headers.get('CSeq'), '2 BYE');
  assert.equal(m.headers.get('Max-Forwards'), '70');
  assert.deepEqual(m.headers.getAll('Route'), ['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>']);
  assert.notEqual(newBranch(), newBranch());
});
