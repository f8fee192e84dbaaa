/**
 * RFC 4028 §9 refresh by re-INVITE when the peer's Allow lacks UPDATE, over the INVITE client
 * transaction (RFC 3261 §17.1.1): Timer A retransmits, the 200 is ACKed by the dialog (§13.2.2.4)
 * and re-ACKed for a retransmitted 2xx, a non-2xx is ACKed by the transaction, Timer B → BYE.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../../../gateway/sip/embedded/clock.ts';
import { EmbeddedDialog, type DialogHost } from '../../../../../gateway/sip/embedded/dialog.ts';
import { ServerInviteTransaction } from '../../../../../gateway/sip/embedded/transaction-server-invite.ts';
import { TransactionTable } from '../../../../../gateway/sip/embedded/transaction-table.ts';
import { parseMessage } from '../../../../../gateway/sip/embedded/parser.ts';
import { makeResponse } from '../../../../../gateway/sip/embedded/serialize.ts';
import type { Endpoint, SipRequest, SipResponse } from '../../../../../gateway/sip/embedded/message.ts';
import { negotiateSessionTimer } from '../../../../../gateway/sip/embedded/session-timer.ts';
import { silentLogger } from '../../../../../gateway/log.ts';
import { buildCallInfo } from '../../../../../gateway/sip/embedded/call-info-builder.ts';

const source: Endpoint = { address: '192.0.2.10', port: 5070, transport: 'udp' };
const LIMITS = { enabled: true, minSE: 90, sessionExpires: 1800 };
const SDP = 'v=0\r\no=- 7 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 20000 RTP/AVP 0\r\n';

function invite(extra: string): SipRequest {
  const text =
    `INVITE sip:100@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKinv1\r\n` +
    `From: <sip:alice@192.0.2.10>;tag=remote1\r\nTo: <sip:100@192.0.2.1>\r\n` +
    `Call-ID: str-1\r\nCSeq: 10 INVITE\r\nContact: <sip:alice@192.0.2.10:5070>\r\n${extra}Content-Length: 0\r\n\r\n`;
  const msg = parseMessage(Buffer.from(text)) as SipRequest;
  msg.source = source;
  return msg;
}

/** A dialog on a real TransactionTable with the FakeClock; `wire` records what went out. */
function setup(extra: string) {
  const clock = new FakeClock();
  const table = new TransactionTable(clock);
  const wire: SipRequest[] = [];
  const responses: SipResponse[] = [];
  const host: DialogHost = {
    clock, log: silentLogger,
    contact: () => '<sip:trunkline@192.0.2.1:5060>',
    sentBy: () => ({ host: '192.0.2.1', port: 5060 }),
    sendResponse: (res) => responses.push(res),
    request: (req) => table.request(req, false, (r) => wire.push(r)),
    requestInvite: (req, _to, on2xx) => table.requestInvite(req, false, (r) => wire.push(r), on2xx),
    sendRequest: (req) => wire.push(req),
    release: () => undefined,
  };
  const inv = invite(extra);
  const tx = new ServerInviteTransaction({ key: 'k', request: inv, reliable: false, clock, send: (res) => responses.push(res), trying: makeResponse(inv, 100) });
  const dialog = new EmbeddedDialog({ host, invite: inv, tx, info: buildCallInfo(inv, source, undefined), localTag: 'local1', sessionTimer: negotiateSessionTimer(inv, LIMITS) });
  void dialog.answer(SDP);
  const ack = parseMessage(Buffer.from(`ACK sip:100@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKack1\r\nFrom: <sip:alice@192.0.2.10>;tag=remote1\r\nTo: <sip:100@192.0.2.1>;tag=local1\r\nCall-ID: str-1\r\nCSeq: 10 ACK\r\nContent-Length: 0\r\n\r\n`)) as SipRequest;
  dialog.receiveAck(ack);
  return { clock, table, wire, dialog };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
const methods = (wire: SipRequest[]): string[] => wire.map((r) => r.method);

test('peer without UPDATE in Allow: the refresh is a re-INVITE with our SDP; 200 is ACKed, a retransmitted 200 re-ACKed', async () => {
  const { clock, table, wire, dialog } = setup('Session-Expires: 200;refresher=uas\r\nSupported: timer\r\nAllow: INVITE, ACK, BYE, CANCEL\r\n');
  clock.advance(100_000);
  assert.deepEqual(methods(wire), ['INVITE']);
  const reinvite = wire[0]!;
  assert.equal(reinvite.body.toString('utf8'), SDP, 'our current SDP, unchanged (RFC 3264 §8)');
  assert.equal(reinvite.headers.get('Session-Expires'), '200;refresher=uas');
  assert.match(reinvite.headers.get('To') ?? '', /tag=remote1/);
  clock.advance(500); // Timer A (UDP): retransmitted at T1
  assert.deepEqual(methods(wire), ['INVITE', 'INVITE']);
  const ok = makeResponse(reinvite, 200, { toTag: 'remote1' });
  assert.equal(table.receiveResponse(ok), true);
  await tick();
  assert.deepEqual(methods(wire), ['INVITE', 'INVITE', 'ACK']);
  const ack = wire[2]!;
  assert.equal(ack.headers.get('CSeq'), `${/^\d+/.exec(reinvite.headers.get('CSeq')!)![0]} ACK`);
  assert.notEqual(ack.headers.get('Via'), reinvite.headers.get('Via'), 'the 2xx ACK is its own transaction (§13.2.2.4)');
  clock.advance(4_000);
  assert.equal(methods(wire).filter((m) => m === 'INVITE').length, 2, 'no retransmission after the final');
  table.receiveResponse(ok); // the peer did not see our ACK
  assert.deepEqual(methods(wire), ['INVITE', 'INVITE', 'ACK', 'ACK']);
  assert.equal(wire[3], ack, 'the same ACK again');
  assert.equal(dialog.state, 'confirmed');
  clock.advance(100_000 - 4_000); // restarted when the 200 came, at 100.5 s
  assert.equal(methods(wire).filter((m) => m === 'INVITE').length, 3, 'the next refresh half an interval later');
  dialog.destroy();
});

test('peer that allows UPDATE still gets an UPDATE refresh', () => {
  const { clock, wire, dialog } = setup('Session-Expires: 200;refresher=uas\r\nSupported: timer\r\nAllow: INVITE, ACK, BYE, UPDATE\r\n');
  clock.advance(100_000);
  assert.deepEqual(methods(wire), ['UPDATE']);
  dialog.destroy();
});

test('no answer to the refresh re-INVITE: Timer B (32 s) ends the session with BYE', async () => {
  const { clock, wire, dialog } = setup('Session-Expires: 200;refresher=uas\r\nSupported: timer\r\nAllow: INVITE, ACK, BYE\r\n');
  clock.advance(100_000);
  clock.advance(31_999);
  await tick();
  assert.equal(dialog.state, 'confirmed');
  const invites = methods(wire).filter((m) => m === 'INVITE').length;
  assert.equal(invites, 7, 'Timer A at 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s');
  clock.advance(1);
  await tick();
  await tick();
  assert.equal(wire.at(-1)?.method, 'BYE');
  assert.match(wire.at(-1)!.headers.get('Reason') ?? '', /cause=408/);
  assert.equal(dialog.state, 'terminated');
});

test('a non-2xx to the refresh is ACKed by the transaction (same branch), re-ACKed on retransmission; 481 ends with BYE', async () => {
  const { clock, table, wire, dialog } = setup('Session-Expires: 200;refresher=uas\r\nSupported: timer\r\n');
  clock.advance(100_000);
  const reinvite = wire[0]!;
  const gone = makeResponse(reinvite, 481, { toTag: 'remote1' });
  table.receiveResponse(gone);
  assert.equal(wire[1]?.method, 'ACK');
  assert.equal(wire[1]!.headers.get('Via'), reinvite.headers.get('Via'), '§17.1.1.3: same top Via');
  table.receiveResponse(gone);
  assert.equal(wire[2], wire[1]);
  await tick();
  await tick();
  assert.equal(wire.at(-1)?.method, 'BYE');
  assert.equal(dialog.state, 'terminated');
  clock.advance(40_000);
  assert.equal(table.size.client, 0, 'Timer D and the BYE transaction are done');
});
