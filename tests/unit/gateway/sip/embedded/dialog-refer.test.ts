import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../../../gateway/sip/embedded/clock.ts';
import { EmbeddedDialog, type DialogHost } from '../../../../../gateway/sip/embedded/dialog.ts';
import { ServerInviteTransaction } from '../../../../../gateway/sip/embedded/transaction-server-invite.ts';
import { ServerNonInviteTransaction } from '../../../../../gateway/sip/embedded/transaction-server-non-invite.ts';
import { parseMessage } from '../../../../../gateway/sip/embedded/parser.ts';
import { makeResponse } from '../../../../../gateway/sip/embedded/serialize.ts';
import type { Endpoint, SipRequest, SipResponse } from '../../../../../gateway/sip/embedded/message.ts';
import type { IncomingRefer, ReferOutcome } from '../../../../../gateway/sip/dialog.ts';
import { silentLogger } from '../../../../../gateway/log.ts';
import { buildCallInfo } from '../../../../../gateway/sip/embedded/call-info-builder.ts';

const source: Endpoint = { address: '192.0.2.10', port: 5070, transport: 'udp' };

function request(method: string, cseq: number, opts: { body?: string; type?: string; extra?: string; toTag?: string } = {}): SipRequest {
  const body = opts.body ?? '';
  const text =
    `${method} sip:trunkline@192.0.2.1 SIP/2.0\r\n` +
    `Via: SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bK${method}${cseq}\r\n` +
    `From: "Alice" <sip:alice@192.0.2.10>;tag=remote1\r\n` +
    `To: <sip:+15550100@192.0.2.1>${opts.toTag ?? ';tag=local1'}\r\n` +
    `Call-ID: call-1\r\nCSeq: ${cseq} ${method}\r\nContact: <sip:alice@192.0.2.10:5070>\r\n` +
    (opts.extra ?? '') +
    (body ? `Content-Type: ${opts.type ?? 'message/sipfrag;version=2.0'}\r\n` : '') +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const msg = parseMessage(Buffer.from(text));
  assert.equal(msg.kind, 'request');
  msg.source = source;
  return msg as SipRequest;
}

const notify = (cseq: number, status: string, state = 'active;expires=60', event = 'refer'): SipRequest =>
  request('NOTIFY', cseq, { body: `SIP/2.0 ${status}\r\n`, extra: `Event: ${event}\r\nSubscription-State: ${state}\r\n` });

/** A confirmed dialog whose host records the requests it sends and lets the test answer each. */
async function confirmed() {
  const clock = new FakeClock();
  const sent: SipResponse[] = [];
  const requests: { req: SipRequest; answer: (res: SipResponse | undefined) => void }[] = [];
  const host: DialogHost = {
    clock,
    log: silentLogger,
    contact: () => '<sip:trunkline@192.0.2.1:5060>',
    sentBy: () => ({ host: '192.0.2.1', port: 5060 }),
    sendResponse: (res) => sent.push(res),
    request: (req) => new Promise((answer) => requests.push({ req, answer })),
    release: () => undefined,
  };
  const invite = request('INVITE', 1, { body: 'v=0\r\n', type: 'application/sdp', toTag: '' });
  const tx = new ServerInviteTransaction({ key: 'k', request: invite, reliable: false, clock, send: (res) => sent.push(res), trying: makeResponse(invite, 100) });
  const dialog = new EmbeddedDialog({ host, invite, tx, info: buildCallInfo(invite, source, undefined), localTag: 'local1' });
  const acked = dialog.answer('v=0 answer');
  dialog.receiveAck(request('ACK', 1));
  await acked;
  /** Delivers an in-dialog request; returns the status it was answered with. */
  const deliver = (req: SipRequest): number => {
    const before = sent.length;
    dialog.receive(req, new ServerNonInviteTransaction({ key: `${req.method}${sent.length}`, request: req, reliable: false, clock, send: (res) => sent.push(res) }));
    return sent.slice(before).at(-1)?.status ?? 0;
  };
  const respond = (i: number, status: number): void => requests[i]!.answer(makeResponse(requests[i]!.req, status, { toTag: 'remote1' }));
  return { clock, sent, requests, dialog, deliver, respond };
}

test('REFER carries Refer-To, Referred-By and our CSeq; 202 then NOTIFY 100, 180, 200 → ok', async () => {
  const { requests, dialog, deliver, respond } = await confirmed();
  const progress: number[] = [];
  const outcome = dialog.refer('sip:operator@192.0.2.77', { onProgress: (s) => progress.push(s) });
  const refer = requests[0]!.req;
  assert.equal(refer.method, 'REFER');
  assert.equal(refer.headers.get('Refer-To'), '<sip:operator@192.0.2.77>');
  assert.equal(refer.headers.get('Referred-By'), '<sip:+15550100@192.0.2.1>');
  assert.equal(refer.headers.get('CSeq'), '1 REFER');
  assert.match(refer.headers.get('From')!, /;tag=local1/);
  assert.match(refer.headers.get('To')!, /;tag=remote1/);
  respond(0, 202);
  assert.equal(deliver(notify(2, '100 Trying')), 200);
  assert.equal(deliver(notify(3, '180 Ringing')), 200);
  assert.equal(deliver(notify(4, '200 OK', 'terminated;reason=noresource', 'refer;id=1')), 200);
  assert.deepEqual(await outcome, { ok: true, status: 200 });
  assert.deepEqual(progress, [100, 180]);
  assert.equal(dialog.state, 'confirmed', 'refer() never ends the dialog: the call sends BYE');
});

test('a NOTIFY may come before the 202; a late 202 changes nothing', async () => {
  const { dialog, deliver, respond } = await confirmed();
  const outcome = dialog.refer('sip:op@192.0.2.77');
  assert.equal(deliver(notify(2, '200 OK', 'terminated')), 200);
  respond(0, 202);
  assert.deepEqual(await outcome, { ok: true, status: 200 });
});

test('REFER answered 603 → rejected with the status', async () => {
  const { dialog, respond } = await confirmed();
  const outcome = dialog.refer('sip:op@192.0.2.77');
  respond(0, 603);
  assert.deepEqual(await outcome, { ok: false, stage: 'rejected', status: 603 });
});

test('sipfrag 486 Busy Here → failed with 486', async () => {
  const { dialog, deliver, respond } = await confirmed();
  const outcome = dialog.refer('sip:op@192.0.2.77');
  respond(0, 202);
  deliver(notify(2, '100 Trying'));
  deliver(notify(3, '486 Busy Here', 'terminated;reason=noresource'));
  assert.deepEqual(await outcome, { ok: false, stage: 'failed', status: 486 });
});

test('subscription terminated without a final sipfrag → failed', async () => {
  const { dialog, deliver, respond } = await confirmed();
  const outcome = dialog.refer('sip:op@192.0.2.77');
  respond(0, 202);
  deliver(notify(2, '100 Trying', 'terminated;reason=timeout'));
  assert.deepEqual(await outcome, { ok: false, stage: 'failed' });
});

test('no final NOTIFY within timeoutMs → timeout (fake clock); later NOTIFYs get 481', async () => {
  const { clock, dialog, deliver, respond } = await confirmed();
  let settled: ReferOutcome | undefined;
  void dialog.refer('sip:op@192.0.2.77', { timeoutMs: 10_000 }).then((o) => (settled = o));
  respond(0, 202);
  deliver(notify(2, '180 Ringing'));
  clock.advance(9_999);
  await Promise.resolve();
  assert.equal(settled, undefined);
  clock.advance(1);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(settled, { ok: false, stage: 'timeout' });
  // We gave up: 481 tells the notifier to drop the subscription (RFC 6665 §4.1.3).
  assert.equal(deliver(notify(3, '200 OK')), 481);
  assert.deepEqual(settled, { ok: false, stage: 'timeout' }, 'settles once');
});

test('REFER transaction timeout (Timer F: no response) → timeout', async () => {
  const { dialog, requests } = await confirmed();
  const outcome = dialog.refer('sip:op@192.0.2.77');
  requests[0]!.answer(undefined);
  assert.deepEqual(await outcome, { ok: false, stage: 'timeout' });
});

test('the caller hangs up mid-transfer → ended', async () => {
  const { dialog, deliver, respond } = await confirmed();
  const outcome = dialog.refer('sip:op@192.0.2.77');
  respond(0, 202);
  assert.equal(deliver(request('BYE', 2)), 200);
  assert.deepEqual(await outcome, { ok: false, stage: 'ended' });
});

test('a second REFER while one runs is refused locally; NOTIFY of another package or id → 481', async () => {
  const { dialog, deliver, respond, requests } = await confirmed();
  const first = dialog.refer('sip:op@192.0.2.77');
  assert.deepEqual(await dialog.refer('sip:other@192.0.2.77'), { ok: false, stage: 'rejected', status: 491 });
  assert.equal(requests.length, 1);
  respond(0, 202);
  assert.equal(deliver(notify(2, '200 OK', 'active', 'presence')), 481);
  assert.equal(deliver(notify(3, '200 OK', 'active', 'refer;id=99')), 481);
  deliver(notify(4, '200 OK', 'terminated', 'refer;id=1'));
  assert.equal((await first).ok, true);
});

test('NOTIFY with no REFER of ours → 481 (RFC 6665 §4.1.3)', async () => {
  const { deliver } = await confirmed();
  assert.equal(deliver(notify(2, '200 OK')), 481);
});

test('REFER before the dialog is confirmed is refused without sending anything', async () => {
  const clock = new FakeClock();
  const invite = request('INVITE', 1, { body: 'v=0\r\n', type: 'application/sdp', toTag: '' });
  const host: DialogHost = {
    clock, log: silentLogger, contact: () => '<sip:t@192.0.2.1>', sentBy: () => ({ host: '192.0.2.1', port: 5060 }),
    sendResponse: () => undefined, request: () => assert.fail('nothing may be sent'), release: () => undefined,
  };
  const tx = new ServerInviteTransaction({ key: 'k', request: invite, reliable: false, clock, send: () => undefined, trying: makeResponse(invite, 100) });
  const dialog = new EmbeddedDialog({ host, invite, tx, info: buildCallInfo(invite, source, undefined), localTag: 'local1' });
  assert.deepEqual(await dialog.refer('sip:op@192.0.2.77'), { ok: false, stage: 'rejected', status: 491 });
});

test('incoming REFER without a listener → 403; without Refer-To or with two → 400', async () => {
  const { deliver } = await confirmed();
  assert.equal(deliver(request('REFER', 2, { extra: 'Refer-To: <sip:bob@192.0.2.99>\r\n' })), 403);
  assert.equal(deliver(request('REFER', 3)), 400);
  assert.equal(deliver(request('REFER', 4, { extra: 'Refer-To: <sip:a@192.0.2.99>\r\nRefer-To: <sip:b@192.0.2.99>\r\n' })), 400);
});

test('incoming REFER accepted: 202, NOTIFY sipfrag 100 Trying (active), then the final NOTIFY terminates', async () => {
  const { dialog, deliver, requests, sent } = await confirmed();
  const got: IncomingRefer[] = [];
  dialog.on('refer', (r) => got.push(r));
  const before = sent.length;
  dialog.receive(request('REFER', 5, { extra: 'Refer-To: <sip:bob@192.0.2.99>\r\nReferred-By: <sip:pbx@192.0.2.10>\r\n' }), new ServerNonInviteTransaction({ key: 'r', request: request('REFER', 5), reliable: false, clock: new FakeClock(), send: (res) => sent.push(res) }));
  assert.equal(sent.length, before, 'the call answers, not the dialog');
  const refer = got[0]!;
  assert.equal(refer.target, 'sip:bob@192.0.2.99');
  assert.equal(refer.referredBy, '<sip:pbx@192.0.2.10>');
  refer.accept();
  assert.equal(sent.at(-1)?.status, 202);
  const n1 = requests.at(-1)!.req;
  assert.equal(n1.method, 'NOTIFY');
  assert.equal(n1.headers.get('Event'), 'refer;id=5');
  assert.equal(n1.headers.get('Subscription-State'), 'active;expires=60');
  assert.equal(n1.headers.get('Content-Type'), 'message/sipfrag;version=2.0');
  assert.equal(n1.body.toString(), 'SIP/2.0 100 Trying\r\n');
  refer.finish(503, 'Service Unavailable');
  const n2 = requests.at(-1)!.req;
  assert.equal(n2.headers.get('Subscription-State'), 'terminated;reason=noresource');
  assert.equal(n2.body.toString(), 'SIP/2.0 503 Service Unavailable\r\n');
  assert.ok(Number(n2.headers.get('CSeq')!.split(' ')[0]) > Number(n1.headers.get('CSeq')!.split(' ')[0]));
  refer.finish(200);
  refer.reject(403);
  assert.equal(requests.length, 2, 'each step happens once');
  void deliver;
});

test('incoming REFER rejected by the call → its status', async () => {
  const { dialog, deliver } = await confirmed();
  dialog.on('refer', (r) => r.reject(603, 'Decline'));
  assert.equal(deliver(request('REFER', 2, { extra: 'Refer-To: <sip:bob@192.0.2.99>\r\n' })), 603);
});
