/**
 * The UAS hooks of issue 8: the admission screen sees every out-of-dialog request (drop = no answer
 * at all, reply = our error with its headers, e.g. two WWW-Authenticate lines), in-dialog requests
 * bypass it, and RFC 4028's 422 + Min-SE comes before any dialog exists.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { EmbeddedSignaling } from '../../../../../gateway/sip/embedded/uas.ts';
import type { ScreenVerdict } from '../../../../../gateway/sip/embedded/request-screen.ts';
import type { SipMessage, SipResponse } from '../../../../../gateway/sip/embedded/message.ts';
import { silentLogger } from '../../../../../gateway/log.ts';
import { UdpPeer, sipRequest } from './sip-peer.ts';

let verdict: ScreenVerdict = { action: 'pass' };
const screened: string[] = [];
const uas = new EmbeddedSignaling({
  config: { bind: '127.0.0.1', udpPort: 0, tcpPort: 0, user: 'trunkline', maxMessageBytes: 8192 },
  log: silentLogger,
  trunkFor: () => 'local',
  screen: (req) => {
    screened.push(req.method);
    return verdict;
  },
  sessionTimers: { enabled: true, minSE: 90, sessionExpires: 1800 },
  limits: { udpMaxBytes: 4096, maxHeaders: 50, maxLineBytes: 1024, tcpMessageTimeoutMs: 1000, tcpMaxConnectionsPerSource: 4 },
});
uas.on('invite', (d) => d.reject(486));
let peer: UdpPeer;
let port = 0;
let n = 0;
const ids = () => ({ branch: `z9hG4bKs${++n}`, callId: `screen-${n}` });
const res = (status: number) => (m: SipMessage): m is SipResponse => m.kind === 'response' && m.status === status;

before(async () => {
  await uas.start();
  peer = new UdpPeer(uas.ports.udp);
  port = await peer.bind();
});
after(async () => {
  peer.close();
  await uas.close();
});

test('drop: no answer at all', async () => {
  verdict = { action: 'drop', reason: 'scanner' };
  peer.send(sipRequest('OPTIONS', { port, cseq: 1, ...ids() }));
  assert.equal(await peer.none((m) => m.kind === 'response', 300), true);
});

test('reply: the status and every header value, one line each', async () => {
  verdict = { action: 'reply', reason: 'auth-required', status: 401, headers: { 'WWW-Authenticate': ['Digest realm="r", nonce="1", algorithm=SHA-256', 'Digest realm="r", nonce="2", algorithm=MD5'] } };
  peer.send(sipRequest('INVITE', { port, cseq: 1, ...ids() }));
  const r = await peer.next(res(401));
  assert.equal(r.headers.getAll('WWW-Authenticate').length, 2);
  assert.match(r.headers.getAll('WWW-Authenticate')[0]!, /SHA-256/);
});

test('in-dialog requests are not screened (they answer 481 here); CANCEL neither', async () => {
  verdict = { action: 'drop', reason: 'scanner' };
  screened.length = 0;
  peer.send(sipRequest('BYE', { port, cseq: 2, toTag: 'nosuch', ...ids() }));
  await peer.next(res(481));
  peer.send(sipRequest('CANCEL', { port, cseq: 2, ...ids() }));
  await peer.next(res(481));
  assert.deepEqual(screened, []);
});

test('session timers: Session-Expires below Min-SE → 422 with Min-SE', async () => {
  verdict = { action: 'pass' };
  peer.send(sipRequest('INVITE', { port, cseq: 1, ...ids(), extra: 'Session-Expires: 30\r\nSupported: timer\r\n' }));
  const r = await peer.next(res(422));
  assert.equal(r.headers.get('Min-SE'), '90');
});

test('limits: a datagram over udpMaxBytes → 513; too many headers → 513', async () => {
  verdict = { action: 'pass' };
  peer.send(sipRequest('OPTIONS', { port, cseq: 1, ...ids(), extra: `X-Pad: ${'p'.repeat(900)}\r\n`.repeat(5) }));
  await peer.next(res(513));
  peer.send(sipRequest('OPTIONS', { port, cseq: 1, ...ids(), extra: 'X-A: 1\r\n'.repeat(60) }));
  await peer.next(res(513));
});
