import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { EmbeddedSignaling } from '../../../../../gateway/sip/embedded/uas.ts';
import { FakeClock } from '../../../../../gateway/sip/embedded/clock.ts';
import type { SipDialog, InfoDtmf } from '../../../../../gateway/sip/dialog.ts';
import type { SipMessage, SipResponse, SipRequest } from '../../../../../gateway/sip/embedded/message.ts';
import { parseNameAddr } from '../../../../../gateway/sip/embedded/header-values.ts';
import { makeResponse, serialize } from '../../../../../gateway/sip/embedded/serialize.ts';
import { silentLogger } from '../../../../../gateway/log.ts';
import { UdpPeer, TcpPeer, sipRequest } from './sip-peer.ts';

const clock = new FakeClock();
const uas = new EmbeddedSignaling({
  config: { bind: '127.0.0.1', udpPort: 0, tcpPort: 0, user: 'trunkline', maxMessageBytes: 8192 },
  log: silentLogger,
  clock,
  trunkFor: (address) => (address === '127.0.0.1' ? 'local' : undefined),
  tcpIdleTimeoutMs: 400,
});
let dialogs: SipDialog[] = [];
let onInvite: (d: SipDialog) => void = () => undefined;
uas.on('invite', (d) => {
  dialogs.push(d);
  onInvite(d);
});
let peer: UdpPeer;
let peerPort = 0;
let n = 0;
const ids = () => ({ branch: `z9hG4bKt${++n}`, callId: `call-${n}@test` });

const res = (status: number, method?: string) => (m: SipMessage): m is SipResponse =>
  m.kind === 'response' && m.status === status && (method === undefined || m.headers.get('CSeq')!.endsWith(method));
const toTagOf = (m: SipMessage) => parseNameAddr(m.headers.get('To')!).tag;

before(async () => {
  await uas.start();
  peer = new UdpPeer(uas.ports.udp);
  peerPort = await peer.bind();
});
after(async () => {
  peer.close();
  await uas.close();
});

test('uris name both transports with the bound ports', () => {
  assert.deepEqual(uas.uris, [`sip:trunkline@127.0.0.1:${uas.ports.udp}`, `sip:trunkline@127.0.0.1:${uas.ports.tcp};transport=tcp`]);
});

test('OPTIONS → 200 with Allow/Accept, rport and received filled in (RFC 3581)', async () => {
  peer.send(sipRequest('OPTIONS', { port: peerPort, cseq: 1, ...ids() }));
  const ok = await peer.next(res(200, 'OPTIONS'));
  assert.ok(ok.headers.getAll('Allow').includes('INVITE'));
  assert.equal(ok.headers.get('Accept'), 'application/sdp');
  assert.match(ok.headers.get('Via')!, new RegExp(`;rport=${peerPort}`));
  assert.match(ok.headers.get('Via')!, /;received=127\.0\.0\.1/);
});

test('INVITE → 100, answer → 200 retransmitted until ACK; then BYE → 200 and bye event', async () => {
  dialogs = [];
  const { branch, callId } = ids();
  let answered: Promise<unknown> | undefined;
  onInvite = (d) => (answered = d.answer('v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n'));
  const invite = sipRequest('INVITE', { port: peerPort, cseq: 1, branch, callId, body: 'v=0\r\n', extra: 'X-Customer: 42\r\nUser-to-User: 0a0b;encoding=hex\r\nSubject: hi\r\n' });
  peer.send(invite);
  await peer.next(res(100, 'INVITE'));
  const ok = await peer.next(res(200, 'INVITE'));
  assert.equal(ok.headers.get('Content-Type'), 'application/sdp');
  const tag = toTagOf(ok)!;
  assert.ok(tag);
  const d = dialogs[0]!;
  assert.equal(d.info.dialed, '+15550100');
  assert.equal(d.info.trunk, 'local');
  assert.deepEqual(d.info.headers, { 'x-customer': '42', 'user-to-user': '0a0b;encoding=hex' });
  assert.deepEqual(d.info.source, { address: '127.0.0.1', port: peerPort, transport: 'udp' });
  // A retransmitted INVITE is absorbed: no second dialog.
  peer.send(invite);
  clock.advance(500); // §13.3.1.4: first 2xx retransmission at T1
  await peer.next(res(200, 'INVITE'));
  assert.equal(dialogs.length, 1);
  peer.send(sipRequest('ACK', { port: peerPort, cseq: 1, branch: `${branch}ack`, callId, toTag: tag }));
  await answered;
  clock.advance(10_000);
  assert.equal(await peer.none(res(200, 'INVITE')), true);

  let byes = 0;
  d.on('bye', () => byes++);
  peer.send(sipRequest('BYE', { port: peerPort, cseq: 2, branch: `${branch}bye`, callId, toTag: tag }));
  await peer.next(res(200, 'BYE'));
  assert.equal(byes, 1);
  assert.equal(d.state, 'terminated');
  assert.equal(uas.dialogCount, 0);
});

test('CANCEL → 200 to the CANCEL and 487 to the INVITE', async () => {
  dialogs = [];
  const { branch, callId } = ids();
  let cancelled = false;
  onInvite = (d) => {
    d.progress(180);
    d.on('cancel', () => (cancelled = true));
  };
  peer.send(sipRequest('INVITE', { port: peerPort, cseq: 1, branch, callId, body: 'v=0\r\n' }));
  const ringing = await peer.next(res(180, 'INVITE'));
  peer.send(sipRequest('CANCEL', { port: peerPort, cseq: 1, branch, callId }));
  const okCancel = await peer.next(res(200, 'CANCEL'));
  const terminated = await peer.next(res(487, 'INVITE'));
  assert.equal(cancelled, true);
  assert.equal(toTagOf(okCancel), toTagOf(ringing));
  assert.equal(toTagOf(terminated), toTagOf(ringing));
  // The ACK for the 487 stops Timer G: no retransmission of the 487.
  peer.send(sipRequest('ACK', { port: peerPort, cseq: 1, branch, callId, toTag: toTagOf(terminated) }));
  await new Promise((r) => setTimeout(r, 50));
  clock.advance(4000);
  assert.equal(await peer.none(res(487)), true);
});

test('CANCEL with no matching INVITE → 481; BYE for an unknown dialog → 481; unknown method → 501', async () => {
  peer.send(sipRequest('CANCEL', { port: peerPort, cseq: 1, ...ids() }));
  await peer.next(res(481, 'CANCEL'));
  peer.send(sipRequest('BYE', { port: peerPort, cseq: 2, toTag: 'nosuch', ...ids() }));
  await peer.next(res(481, 'BYE'));
  peer.send(sipRequest('FOO', { port: peerPort, cseq: 3, ...ids() }));
  await peer.next(res(501, 'FOO'));
  peer.send(sipRequest('REGISTER', { port: peerPort, cseq: 4, ...ids() }));
  const reg = await peer.next(res(405, 'REGISTER'));
  assert.ok(reg.headers.getAll('Allow').includes('INVITE'));
});

test('garbage and malformed requests never crash; a malformed request with headers gets 400', async () => {
  peer.send(Buffer.from([0, 1, 2, 3, 255, 13, 10]));
  peer.send('hello world\r\n\r\n');
  peer.send(sipRequest('OPTIONS', { port: peerPort, cseq: 1, ...ids() }).replace('Max-Forwards: 70', 'Max-Forwards: seventy'));
  await peer.next(res(400));
  peer.send(sipRequest('OPTIONS', { port: peerPort, cseq: 1, ...ids() }));
  await peer.next(res(200, 'OPTIONS'));
});

test('in-dialog INFO with DTMF, and our BYE answered by the caller', async () => {
  dialogs = [];
  const { branch, callId } = ids();
  onInvite = (d) => void d.answer('v=0\r\n');
  peer.send(sipRequest('INVITE', { port: peerPort, cseq: 1, branch, callId, body: 'v=0\r\n' }));
  const ok = await peer.next(res(200, 'INVITE'));
  const tag = toTagOf(ok)!;
  peer.send(sipRequest('ACK', { port: peerPort, cseq: 1, branch: `${branch}a`, callId, toTag: tag }));
  const d = dialogs[0]!;
  const digits: InfoDtmf[] = [];
  d.on('dtmf', (x) => digits.push(x));
  peer.send(
    sipRequest('INFO', { port: peerPort, cseq: 2, branch: `${branch}i`, callId, toTag: tag })
      .replace('Content-Length: 0', 'Content-Type: application/dtmf-relay\r\nContent-Length: 26')
      .concat('Signal=7\r\nDuration=160\r\n\r\n'.slice(0, 26)),
  );
  await peer.next(res(200, 'INFO'));
  assert.deepEqual(digits, [{ digit: '7', durationMs: 160 }]);
  const done = d.bye();
  const bye = (await peer.next((m) => m.kind === 'request' && m.method === 'BYE')) as SipRequest;
  assert.equal(bye.uri, `sip:alice@127.0.0.1:${peerPort}`);
  assert.match(bye.headers.get('From')!, new RegExp(`tag=${tag}`));
  peer.send(serialize(makeResponse(bye, 200)));
  await done;
  assert.equal(d.state, 'terminated');
});

test('setAccepting(false) → new INVITEs get 503', async () => {
  uas.setAccepting(false);
  peer.send(sipRequest('INVITE', { port: peerPort, cseq: 1, body: 'v=0\r\n', ...ids() }));
  await peer.next(res(503, 'INVITE'));
  uas.setAccepting(true);
});

test('TCP: responses come back on the same connection; framing error → 400 and close; idle close', async () => {
  const tcp = new TcpPeer();
  const port = await tcp.connect(uas.ports.tcp);
  tcp.send(sipRequest('OPTIONS', { port, transport: 'TCP', cseq: 1, ...ids() }));
  await tcp.next(res(200, 'OPTIONS'));
  tcp.send(sipRequest('OPTIONS', { port, transport: 'TCP', cseq: 2, ...ids() }).replace(/Content-Length: 0/, 'Content-Length: banana'));
  await tcp.next(res(400));
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(tcp.closed, true);

  const idle = new TcpPeer();
  await idle.connect(uas.ports.tcp);
  await new Promise((r) => setTimeout(r, 700));
  assert.equal(idle.closed, true);
});

test('UDP: a Via naming a foreign host is answered to the packet source; a retransmission gets the same response', async () => {
  const { branch, callId } = ids();
  const text = sipRequest('OPTIONS', { port: peerPort, cseq: 1, branch, callId }).replace(`127.0.0.1:${peerPort};branch=${branch};rport`, `192.0.2.99:5060;branch=${branch}`);
  peer.send(text);
  const first = await peer.next(res(200, 'OPTIONS'));
  assert.match(first.headers.get('Via')!, /^SIP\/2\.0\/UDP 192\.0\.2\.99:5060;branch=\S+;received=127\.0\.0\.1$/);
  peer.send(text);
  const again = await peer.next(res(200, 'OPTIONS'));
  assert.equal(toTagOf(again), toTagOf(first)); // Timer J: the same response re-sent, not a new one
  clock.advance(32_000); // Timer J over: the transaction is gone
});
