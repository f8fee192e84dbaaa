import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../../../gateway/sip/embedded/clock.ts';
import { EmbeddedDialog, type DialogHost } from '../../../../../gateway/sip/embedded/dialog.ts';
import { ServerInviteTransaction } from '../../../../../gateway/sip/embedded/transaction-server-invite.ts';
import { ServerNonInviteTransaction } from '../../../../../gateway/sip/embedded/transaction-server-non-invite.ts';
import { parseMessage } from '../../../../../gateway/sip/embedded/parser.ts';
import { makeResponse } from '../../../../../gateway/sip/embedded/serialize.ts';
import type { Endpoint, SipRequest, SipResponse } from '../../../../../gateway/sip/embedded/message.ts';
import type { InfoDtmf, ReInvite } from '../../../../../gateway/sip/dialog.ts';
import { silentLogger } from '../../../../../gateway/log.ts';
import { buildCallInfo } from '../../../../../gateway/sip/embedded/call-info-builder.ts';

const source: Endpoint = { address: '192.0.2.10', port: 5070, transport: 'udp' };

function request(method: string, cseq: number, opts: { toTag?: string; body?: string; type?: string; extra?: string } = {}): SipRequest {
  const body = opts.body ?? '';
  const text =
    `${method} sip:+15550100@192.0.2.1 SIP/2.0\r\n` +
    `Via: SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bK${method}${cseq}\r\n` +
    `Record-Route: <sip:192.0.2.50;lr>\r\n` +
    `From: "Alice" <sip:alice@192.0.2.10>;tag=remote1\r\n` +
    `To: <sip:+15550100@192.0.2.1>${opts.toTag ? `;tag=${opts.toTag}` : ''}\r\n` +
    `Call-ID: call-1\r\nCSeq: ${cseq} ${method}\r\nContact: <sip:alice@192.0.2.10:5070>\r\n` +
    (opts.extra ?? '') +
    (body ? `Content-Type: ${opts.type ?? 'application/sdp'}\r\n` : '') +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const msg = parseMessage(Buffer.from(text));
  assert.equal(msg.kind, 'request');
  msg.source = source;
  return msg as SipRequest;
}

function setup() {
  const clock = new FakeClock();
  const sent: SipResponse[] = [];
  const requests: { req: SipRequest; to: Endpoint }[] = [];
  let released = 0;
  let answerRequest: (res: SipResponse | undefined) => void = () => undefined;
  const host: DialogHost = {
    clock,
    log: silentLogger,
    contact: () => '<sip:trunkline@192.0.2.1:5060>',
    sentBy: () => ({ host: '192.0.2.1', port: 5060 }),
    sendResponse: (res) => sent.push(res),
    request: (req, to) => {
      requests.push({ req, to });
      return new Promise((resolve) => (answerRequest = resolve));
    },
    release: () => released++,
  };
  const invite = request('INVITE', 10, { body: 'v=0\r\n' });
  const tx = new ServerInviteTransaction({ key: 'k', request: invite, reliable: false, clock, send: (res) => sent.push(res), trying: makeResponse(invite, 100) });
  const dialog = new EmbeddedDialog({ host, invite, tx, info: buildCallInfo(invite, source, undefined), localTag: 'local1' });
  const events: string[] = [];
  for (const e of ['bye', 'cancel', 'ack-timeout', 'ended'] as const) dialog.on(e, () => events.push(e));
  const nonInvite = (req: SipRequest) => new ServerNonInviteTransaction({ key: req.method, request: req, reliable: false, clock, send: (res) => sent.push(res) });
  return { clock, sent, requests, dialog, events, nonInvite, released: () => released, answerRequest: (r: SipResponse | undefined) => answerRequest(r) };
}

test('answer sends 200 with SDP, Contact, Allow and our tag, retransmits until ACK, then resolves', async () => {
  const { clock, sent, dialog } = setup();
  assert.equal(dialog.offer, 'v=0\r\n');
  assert.equal(dialog.info.dialed, '+15550100');
  dialog.progress(180);
  const answered = dialog.answer('v=0 answer');
  assert.equal(dialog.state, 'confirmed');
  const ok = sent[2]!;
  assert.deepEqual(sent.map((r) => r.status), [100, 180, 200]);
  assert.equal(ok.headers.get('Content-Type'), 'application/sdp');
  assert.equal(ok.body.toString(), 'v=0 answer');
  assert.match(ok.headers.get('To')!, /;tag=local1$/);
  assert.equal(ok.headers.get('Contact'), '<sip:trunkline@192.0.2.1:5060>');
  assert.ok(ok.headers.getAll('Allow').includes('BYE'));
  clock.advance(1500);
  assert.equal(sent.filter((r) => r.status === 200).length, 3); // 0, 500, 1500
  dialog.receiveAck(request('ACK', 10, { toTag: 'local1' }));
  await answered;
  clock.advance(60_000);
  assert.equal(sent.filter((r) => r.status === 200).length, 3);
});

test('no ACK within 64*T1: answer rejects, ack-timeout, BYE sent along the route set', async () => {
  const { clock, requests, dialog, events, answerRequest } = setup();
  const answered = dialog.answer('v=0');
  const outcome = answered.then(() => 'resolved', (err: { termination?: string }) => err.termination);
  clock.advance(32_000);
  assert.equal(await outcome, 'ack-timeout');
  assert.deepEqual(events, ['ack-timeout', 'ended']);
  await Promise.resolve();
  const bye = requests[0]!;
  assert.equal(bye.req.method, 'BYE');
  assert.equal(bye.req.uri, 'sip:alice@192.0.2.10:5070');
  assert.equal(bye.req.headers.get('Route'), '<sip:192.0.2.50;lr>');
  assert.equal(bye.req.headers.get('CSeq'), '1 BYE');
  assert.match(bye.req.headers.get('From')!, /<sip:\+15550100@192\.0\.2\.1>;tag=local1/);
  assert.match(bye.req.headers.get('To')!, /tag=remote1/);
  assert.deepEqual(bye.to, { address: '192.0.2.50', port: 5060, transport: 'udp' });
  answerRequest(undefined);
});

test('CANCEL before answer: 487 to the INVITE, cancel and ended events', () => {
  const { sent, dialog, events, released } = setup();
  dialog.receiveCancel();
  assert.equal(sent.at(-1)!.status, 487);
  assert.deepEqual(events, ['cancel', 'ended']);
  assert.equal(dialog.state, 'terminated');
  assert.equal(released(), 1);
  dialog.receiveCancel();
  assert.equal(sent.filter((r) => r.status === 487).length, 1);
});

test('in-dialog: BYE → 200 and bye; lower CSeq → 500; INFO dtmf-relay → dtmf; unknown INFO type → 415', async () => {
  const { sent, dialog, events, nonInvite } = setup();
  void dialog.answer('v=0');
  dialog.receiveAck(request('ACK', 10, { toTag: 'local1' }));
  const digits: InfoDtmf[] = [];
  dialog.on('dtmf', (d) => digits.push(d));
  dialog.receive(request('INFO', 11, { toTag: 'local1', body: 'Signal=5\r\nDuration=200\r\n', type: 'application/dtmf-relay' }), nonInvite(request('INFO', 11)));
  assert.deepEqual(digits, [{ digit: '5', durationMs: 200 }]);
  dialog.receive(request('INFO', 12, { toTag: 'local1', body: '#', type: 'application/dtmf' }), nonInvite(request('INFO', 12)));
  assert.deepEqual(digits[1], { digit: '#', durationMs: 160 });
  dialog.receive(request('INFO', 13, { toTag: 'local1', body: '<x/>', type: 'application/weird' }), nonInvite(request('INFO', 13)));
  assert.equal(sent.at(-1)!.status, 415);
  dialog.receive(request('INFO', 9, { toTag: 'local1' }), nonInvite(request('INFO', 9)));
  assert.equal(sent.at(-1)!.status, 500);
  dialog.receive(request('BYE', 14, { toTag: 'local1' }), nonInvite(request('BYE', 14)));
  assert.equal(sent.at(-1)!.status, 200);
  assert.equal(sent.at(-1)!.headers.get('CSeq'), '14 BYE');
  assert.deepEqual(events, ['bye', 'ended']);
});

test('re-INVITE: accept sends 200 with SDP retransmitted until the ACK; a second offer meanwhile gets 500', () => {
  const { clock, sent, dialog, nonInvite } = setup();
  void dialog.answer('v=0');
  dialog.receiveAck(request('ACK', 10, { toTag: 'local1' }));
  let offer: ReInvite | undefined;
  dialog.on('reinvite', (r) => (offer = r));
  const reinvite = request('INVITE', 11, { toTag: 'local1', body: 'v=0 hold' });
  const tx = new ServerInviteTransaction({ key: 'r', request: reinvite, reliable: false, clock, send: (res) => sent.push(res) });
  dialog.receive(reinvite, tx);
  assert.equal(offer?.sdp, 'v=0 hold');
  offer!.accept('v=0 held');
  assert.equal(sent.at(-1)!.status, 200);
  assert.equal(sent.at(-1)!.headers.get('CSeq'), '11 INVITE');
  dialog.receive(request('INVITE', 12, { toTag: 'local1', body: 'v=0' }), nonInvite(request('INVITE', 12)));
  assert.equal(sent.at(-1)!.status, 500);
  assert.ok(sent.at(-1)!.headers.has('Retry-After'));
  clock.advance(500);
  assert.equal(sent.at(-1)!.headers.get('CSeq'), '11 INVITE'); // retransmitted 2xx
  dialog.receiveAck(request('ACK', 11, { toTag: 'local1' }));
  const count = sent.length;
  clock.advance(10_000);
  assert.equal(sent.length, count);
});

test('unanswered INVITE gets 408 after the answer timeout', () => {
  const { clock, sent, events } = setup();
  clock.advance(31_999);
  assert.equal(sent.length, 1);
  clock.advance(1);
  assert.equal(sent.at(-1)!.status, 408);
  assert.deepEqual(events, ['ended']);
});

test('bye() on a confirmed dialog sends BYE, ends at once and resolves on the response', async () => {
  const { dialog, requests, events, answerRequest } = setup();
  void dialog.answer('v=0');
  dialog.receiveAck(request('ACK', 10, { toTag: 'local1' }));
  const done = dialog.bye({ Reason: 'Q.850;cause=16' });
  await Promise.resolve();
  assert.equal(requests.length, 1);
  assert.equal(requests[0]!.req.headers.get('Reason'), 'Q.850;cause=16');
  assert.deepEqual(events, ['ended']);
  answerRequest(undefined);
  await done;
  assert.equal(dialog.state, 'terminated');
});
