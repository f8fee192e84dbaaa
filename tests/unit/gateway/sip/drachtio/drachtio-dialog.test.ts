import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { silentLogger } from '../../../../../gateway/log.ts';
import { DrachtioSignaling, urisOf } from '../../../../../gateway/sip/drachtio/drachtio-signaling.ts';
import type { SrfRequest } from '../../../../../gateway/sip/drachtio/drachtio-wire.ts';
import { FakeRes, FakeSrf, fakeReq } from './fake-srf.ts';
import type { SipDialog } from '../../../../../gateway/sip/dialog.ts';

async function setup(): Promise<{ srf: FakeSrf; sig: DrachtioSignaling; next: () => Promise<{ dialog: SipDialog; res: FakeRes; req: SrfRequest }> }> {
  const srf = new FakeSrf();
  const sig = new DrachtioSignaling({ host: '127.0.0.1', port: 9022, secret: 's', user: 'trunkline', trunkFor: () => 'lab', log: silentLogger, srf });
  await sig.start();
  const next = (): Promise<{ dialog: SipDialog; res: FakeRes; req: SrfRequest }> =>
    new Promise((resolve) => {
      const req = fakeReq();
      const res = new FakeRes();
      sig.once('invite', (dialog) => resolve({ dialog, res, req }));
      srf.inviteFn!(req, res);
    });
  return { srf, sig, next };
}

describe('drachtio signaling (drachtio-srf 5 behaviour)', () => {
  test('URIs from the connect hostport', async () => {
    const { sig } = await setup();
    assert.deepEqual(sig.uris, ['sip:trunkline@127.0.0.1:5080;transport=tcp', 'sip:trunkline@127.0.0.1:5080;transport=udp']);
    assert.deepEqual(urisOf('', 'x'), []);
  });

  test('CallInfo read with get()/getParsedHeader(), not the lying properties', async () => {
    const { next } = await setup();
    const { dialog } = await next();
    assert.equal(dialog.info.callId, 'abc@1');
    assert.equal(dialog.info.from, 'sip:+15550100@10.0.0.1');
    assert.equal(dialog.info.dialed, '+15550199');
    assert.equal(dialog.info.headers['x-ivr-context'], 'billing');
    assert.equal(dialog.info.trunk, 'lab');
    assert.equal(dialog.offer, 'v=0\r\n');
  });

  test('answer() waits for the ACK, not for createUAS', async () => {
    const { srf, next } = await setup();
    const { dialog, res } = await next();
    let acked = false;
    const p = dialog.answer('v=0\r\n').then(() => (acked = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(res.sent.at(-1)?.status, 200);
    assert.equal(acked, false, 'the 200 is sent but no ACK yet');
    srf.dialogs[0]!.emit('ack');
    await p;
    assert.equal(dialog.state, 'confirmed');
  });

  test('REFER with no listener is refused 403 (not auto-200); INFO DTMF reaches the call', async () => {
    const { srf, next } = await setup();
    const { dialog } = await next();
    const a = dialog.answer('v=0\r\n');
    await new Promise((r) => setImmediate(r));
    const d = srf.dialogs[0]!;
    d.emit('ack');
    await a;
    const referRes = new FakeRes();
    d.emit('refer', fakeReq({ 'Refer-To': '<sip:agent@pbx>' }), referRes);
    assert.equal(referRes.sent[0]?.status, 403);
    const digits: string[] = [];
    dialog.on('dtmf', (x) => digits.push(x.digit));
    const infoRes = new FakeRes();
    d.emit('info', fakeReq({ 'Content-Type': 'application/dtmf-relay' }, 'Signal=5\r\nDuration=160\r\n'), infoRes);
    assert.equal(infoRes.sent[0]?.status, 200);
    assert.deepEqual(digits, ['5']);
    const badInfo = new FakeRes();
    d.emit('info', fakeReq({ 'Content-Type': 'application/x-weird' }, 'zzz'), badInfo);
    assert.equal(badInfo.sent[0]?.status, 415);
  });

  test('refer() goes through dialog.request (the shortcut throws) and follows sipfrag NOTIFYs', async () => {
    const { srf, next } = await setup();
    const { dialog } = await next();
    const a = dialog.answer('v=0\r\n');
    await new Promise((r) => setImmediate(r));
    const d = srf.dialogs[0]!;
    d.emit('ack');
    await a;
    const progress: number[] = [];
    const outcome = dialog.refer('sip:agent@pbx', { onProgress: (s) => progress.push(s), timeoutMs: 2000 });
    await new Promise((r) => setImmediate(r));
    assert.equal(d.requests[0]?.method, 'REFER');
    assert.equal(d.requests[0]?.headers?.['Refer-To'], '<sip:agent@pbx>');
    const n1 = new FakeRes();
    d.emit('notify', fakeReq({ 'Content-Type': 'message/sipfrag;version=2.0', 'Subscription-State': 'active' }, 'SIP/2.0 180 Ringing\r\n'), n1);
    const n2 = new FakeRes();
    d.emit('notify', fakeReq({ 'Content-Type': 'message/sipfrag;version=2.0', 'Subscription-State': 'terminated' }, 'SIP/2.0 200 OK\r\n'), n2);
    assert.deepEqual(await outcome, { ok: true, status: 200 });
    assert.deepEqual(progress, [180]);
    assert.equal(n1.sent[0]?.status, 200);
  });

  test('BYE from the caller (destroy) ends; 503 when not accepting or media not ready; OPTIONS 200', async () => {
    const { srf, sig, next } = await setup();
    const { dialog } = await next();
    const a = dialog.answer('v=0\r\n');
    await new Promise((r) => setImmediate(r));
    srf.dialogs[0]!.emit('ack');
    await a;
    const ev: string[] = [];
    dialog.on('bye', () => ev.push('bye'));
    dialog.on('ended', () => ev.push('ended'));
    srf.dialogs[0]!.emit('destroy');
    assert.deepEqual(ev, ['bye', 'ended']);
    sig.setAccepting(false);
    const res = new FakeRes();
    srf.inviteFn!(fakeReq(), res);
    assert.equal(res.sent[0]?.status, 503);
    const o = new FakeRes();
    srf.optionsFn!(fakeReq(), o);
    assert.equal(o.sent[0]?.status, 200);
  });

  test('CANCEL before answer; losing drachtio-server ends calls in progress', async () => {
    const { srf, next } = await setup();
    const first = await next();
    const ev: string[] = [];
    first.dialog.on('cancel', () => ev.push('cancel'));
    first.dialog.on('lost', () => ev.push('lost'));
    (first.req as unknown as EventEmitter).emit('cancel');
    assert.deepEqual(ev, ['cancel']);
    assert.equal(first.dialog.state, 'terminated');
    const second = await next();
    const order: string[] = [];
    second.dialog.on('lost', () => order.push('lost'));
    const ended = new Promise<void>((r) => second.dialog.once('ended', () => r(void order.push('ended'))));
    srf.emit('reconnecting');
    await ended;
    assert.equal(second.dialog.state, 'terminated');
    // A fault, not a hang-up: the call layer ends the call with result=error on `lost`, before `ended`.
    assert.deepEqual(order, ['lost', 'ended']);
    assert.deepEqual(ev, ['cancel'], 'a cancelled dialog is not reported lost');
  });
});
