/**
 * RFC 4028 session timers: the pure negotiation (§9), the timer runner (§10), and the dialog
 * hooks — Session-Expires in our 2xx, our UPDATE refresh at half the interval, BYE when the peer's
 * refresh never comes, restart on the peer's refresh, nothing left running after the dialog ends.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../../../gateway/sip/embedded/clock.ts';
import { EmbeddedDialog, type DialogHost } from '../../../../../gateway/sip/embedded/dialog.ts';
import { ServerInviteTransaction } from '../../../../../gateway/sip/embedded/transaction-server-invite.ts';
import { ServerNonInviteTransaction } from '../../../../../gateway/sip/embedded/transaction-server-non-invite.ts';
import { parseMessage } from '../../../../../gateway/sip/embedded/parser.ts';
import { makeResponse } from '../../../../../gateway/sip/embedded/serialize.ts';
import type { Endpoint, SipRequest, SipResponse } from '../../../../../gateway/sip/embedded/message.ts';
import { negotiateSessionTimer, SessionTimer, sessionTimerHeaders } from '../../../../../gateway/sip/embedded/session-timer.ts';
import { silentLogger } from '../../../../../gateway/log.ts';
import { buildCallInfo } from '../../../../../gateway/sip/embedded/call-info-builder.ts';

const source: Endpoint = { address: '192.0.2.10', port: 5070, transport: 'udp' };
const LIMITS = { enabled: true, minSE: 90, sessionExpires: 1800 };

function request(method: string, cseq: number, extra = '', toTag?: string): SipRequest {
  const text =
    `${method} sip:100@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bK${method}${cseq}\r\n` +
    `From: <sip:alice@192.0.2.10>;tag=remote1\r\nTo: <sip:100@192.0.2.1>${toTag ? `;tag=${toTag}` : ''}\r\n` +
    `Call-ID: st-1\r\nCSeq: ${cseq} ${method}\r\nContact: <sip:alice@192.0.2.10:5070>\r\n${extra}Content-Length: 0\r\n\r\n`;
  const msg = parseMessage(Buffer.from(text)) as SipRequest;
  msg.source = source;
  return msg;
}

test('negotiation (§9): 422 below Min-SE, the caller\'s refresher choice, we refresh for callers without the extension', () => {
  assert.deepEqual(negotiateSessionTimer(request('INVITE', 1, 'Session-Expires: 60\r\nSupported: timer\r\n'), LIMITS), { kind: 'too-small', minSE: 90 });
  assert.deepEqual(negotiateSessionTimer(request('INVITE', 1, 'Session-Expires: 600;refresher=uas\r\nSupported: timer\r\n'), LIMITS), { kind: 'run', interval: 600, refresher: 'uas', uacSupports: true });
  assert.deepEqual(negotiateSessionTimer(request('INVITE', 1, 'Supported: timer, replaces\r\n'), LIMITS), { kind: 'run', interval: 1800, refresher: 'uac', uacSupports: true });
  assert.deepEqual(negotiateSessionTimer(request('INVITE', 1, 'Session-Expires: 7200\r\n'), LIMITS), { kind: 'run', interval: 1800, refresher: 'uas', uacSupports: false });
  assert.deepEqual(negotiateSessionTimer(request('INVITE', 1, 'Session-Expires: 100\r\nMin-SE: 120\r\nSupported: timer\r\n'), LIMITS), { kind: 'run', interval: 120, refresher: 'uac', uacSupports: true }, 'never below the caller\'s Min-SE');
  assert.deepEqual(negotiateSessionTimer(request('INVITE', 1), { ...LIMITS, enabled: false }), { kind: 'none' });
  assert.deepEqual(sessionTimerHeaders({ kind: 'run', interval: 600, refresher: 'uac', uacSupports: true }), { 'Session-Expires': '600;refresher=uac', Require: 'timer' });
  assert.deepEqual(sessionTimerHeaders({ kind: 'run', interval: 600, refresher: 'uas', uacSupports: false }), { 'Session-Expires': '600;refresher=uas' });
});

test('runner: refresher uas refreshes at interval/2; a failed refresh expires; uac expiry at interval - min(32, interval/3)', async () => {
  const clock = new FakeClock();
  let refreshes = 0;
  let expired = 0;
  let ok = true;
  const t = new SessionTimer({ kind: 'run', interval: 120, refresher: 'uas', uacSupports: false }, { clock, refresh: async () => (refreshes++, ok), expire: () => expired++ });
  t.restart();
  clock.advance(59_999);
  assert.equal(refreshes, 0);
  clock.advance(1);
  assert.equal(refreshes, 1);
  await new Promise((r) => setImmediate(r));
  ok = false;
  clock.advance(60_000);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual([refreshes, expired], [2, 1]);
  const u = new SessionTimer({ kind: 'run', interval: 90, refresher: 'uac', uacSupports: true }, { clock, refresh: async () => true, expire: () => expired++ });
  u.restart();
  clock.advance(59_999); // 90 - min(32, 30) = 60 s
  assert.equal(expired, 1);
  u.restart(); // the peer refreshed
  clock.advance(59_999);
  assert.equal(expired, 1);
  clock.advance(1);
  assert.equal(expired, 2);
  u.stop();
  assert.equal(clock.pending, 0, 'no timer left');
});

function setup(extra: string) {
  const clock = new FakeClock();
  const sent: SipResponse[] = [];
  const requests: SipRequest[] = [];
  const answers: ((r: SipResponse | undefined) => void)[] = [];
  const host: DialogHost = {
    clock, log: silentLogger,
    contact: () => '<sip:trunkline@192.0.2.1:5060>',
    sentBy: () => ({ host: '192.0.2.1', port: 5060 }),
    sendResponse: (res) => sent.push(res),
    request: (req) => {
      requests.push(req);
      return new Promise((resolve) => answers.push(resolve));
    },
    release: () => undefined,
  };
  const invite = request('INVITE', 10, extra);
  const tx = new ServerInviteTransaction({ key: 'k', request: invite, reliable: false, clock, send: (res) => sent.push(res), trying: makeResponse(invite, 100) });
  const dialog = new EmbeddedDialog({ host, invite, tx, info: buildCallInfo(invite, source, undefined), localTag: 'local1', sessionTimer: negotiateSessionTimer(invite, LIMITS) });
  return { clock, sent, requests, answers, dialog };
}

test('dialog, we refresh: 2xx carries Session-Expires;refresher=uas, UPDATE at half the interval, BYE when it gets 481', async () => {
  const { clock, sent, requests, answers, dialog } = setup('Session-Expires: 200;refresher=uas\r\nSupported: timer\r\nAllow: INVITE, ACK, BYE, UPDATE\r\n');
  void dialog.answer('v=0');
  dialog.receiveAck(request('ACK', 10, '', 'local1'));
  const ok = sent.find((r) => r.status === 200)!;
  assert.equal(ok.headers.get('Session-Expires'), '200;refresher=uas');
  assert.ok(ok.headers.getAll('Supported').includes('timer'));
  clock.advance(100_000);
  assert.equal(requests.length, 1);
  assert.equal(requests[0]!.method, 'UPDATE');
  assert.equal(requests[0]!.body.length, 0, 'a refresh UPDATE has no body (RFC 4028 §7.4)');
  answers[0]!(makeResponse(requests[0]!, 200));
  await new Promise((r) => setImmediate(r));
  clock.advance(100_000);
  assert.equal(requests.length, 2, 'refreshed again after the next half interval');
  answers[1]!(makeResponse(requests[1]!, 481));
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  assert.equal(requests[2]?.method, 'BYE');
  assert.equal(dialog.state, 'terminated');
});

test('dialog, the caller refreshes: Require: timer, a re-INVITE/UPDATE restarts, silence ends with BYE; no timer after the end', async () => {
  const { clock, sent, requests, dialog } = setup('Session-Expires: 90\r\nSupported: timer\r\n');
  void dialog.answer('v=0');
  dialog.receiveAck(request('ACK', 10, '', 'local1'));
  const ok = sent.find((r) => r.status === 200)!;
  assert.equal(ok.headers.get('Session-Expires'), '90;refresher=uac');
  assert.equal(ok.headers.get('Require'), 'timer');
  clock.advance(50_000);
  const update = request('UPDATE', 11, '', 'local1');
  dialog.receive(update, new ServerNonInviteTransaction({ key: 'u', request: update, reliable: false, clock, send: (res) => sent.push(res) }));
  assert.equal(sent.at(-1)!.status, 200);
  assert.equal(sent.at(-1)!.headers.get('Session-Expires'), '90;refresher=uac');
  clock.advance(50_000); // 100 s since answer, 50 s since the refresh: still alive
  assert.equal(requests.length, 0);
  clock.advance(10_000);
  assert.equal(requests[0]?.method, 'BYE');
  assert.match(requests[0]!.headers.get('Reason') ?? '', /cause=408/);
  assert.equal(dialog.state, 'terminated');
  clock.advance(10 * 60_000);
  assert.equal(requests.length, 1);
});
