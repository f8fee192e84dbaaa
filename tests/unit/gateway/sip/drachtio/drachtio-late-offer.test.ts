import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../../../config/load.ts';
import { runCall } from '../../../../../gateway/call/call-runner.ts';
import { CallRegistry } from '../../../../../gateway/call/call-registry.ts';
import { entersState } from '../../../../../gateway/call/call.ts';
import { silentLogger } from '../../../../../gateway/log.ts';
import { DrachtioSignaling } from '../../../../../gateway/sip/drachtio/drachtio-signaling.ts';
import type { SipDialog } from '../../../../../gateway/sip/dialog.ts';
import { parseSdp } from '../../../../../gateway/sip/sdp.ts';
import { FakeLeg } from '../../../../fakes/fake-leg.ts';
import { FakeRes, FakeSrf, fakeReq } from './fake-srf.ts';

const ANSWER = (pts: string) => ['v=0', 'o=cube 1 1 IN IP4 10.0.0.9', 's=-', 'c=IN IP4 10.0.0.9', 't=0 0', `m=audio 30000 RTP/AVP ${pts}`, 'a=rtpmap:8 PCMA/8000', ''].join('\r\n');

async function offerless(): Promise<{ srf: FakeSrf; dialog: SipDialog; res: FakeRes }> {
  const srf = new FakeSrf();
  const sig = new DrachtioSignaling({ host: '127.0.0.1', port: 9022, secret: 's', user: 'trunkline', trunkFor: () => 'lab', log: silentLogger, srf });
  await sig.start();
  const res = new FakeRes();
  const dialog = await new Promise<SipDialog>((resolve) => {
    sig.once('invite', resolve);
    // A delayed-offer INVITE (Cisco CUBE): no body; drachtio-srf gives an empty string.
    srf.inviteFn!(fakeReq({}, ''), res);
  });
  return { srf, dialog, res };
}

test('drachtio: answer() resolves with the body of the ACK that dialog.on("ack") passes', async () => {
  const { srf, dialog } = await offerless();
  assert.equal(dialog.offer, '');
  const acked = dialog.answer('v=0\r\n');
  await new Promise((r) => setImmediate(r));
  // drachtio-srf 5 emits 'ack' with the ACK request (lib/dialog.js: `this.emit('ack', req)`).
  srf.dialogs[0]!.emit('ack', fakeReq({}, ANSWER('8')));
  assert.equal(await acked, ANSWER('8'));
  assert.equal(dialog.state, 'confirmed');
});

test('drachtio: an ACK without body resolves empty (the runner then BYEs a late-offer call)', async () => {
  const { srf, dialog } = await offerless();
  const acked = dialog.answer('v=0\r\n');
  await new Promise((r) => setImmediate(r));
  srf.dialogs[0]!.emit('ack', fakeReq({}, ''));
  assert.equal(await acked, undefined);
});

test('drachtio: a late-offer call offers in createUAS and opens PCMA from the ACK; a bad answer sends BYE', async () => {
  for (const [answer, expectLeg] of [[ANSWER('8'), true], [ANSWER('18'), false]] as const) {
    const { srf, dialog } = await offerless();
    const legs: FakeLeg[] = [];
    const running = runCall(dialog, {
      config: loadConfig({ env: {} }),
      log: silentLogger,
      registry: new CallRegistry(),
      agentsFor: () => [{ kind: 'menu', create: () => ({ kind: 'menu', start: () => Promise.resolve(), notify: () => undefined, stop: () => Promise.resolve() }) }],
      isAccepting: () => true,
      openMedia: () => Promise.reject(new Error('not used')),
      reserveMedia: () =>
        Promise.resolve({
          address: '192.0.2.10',
          port: 20002,
          open: async (plan) => {
            const leg = new FakeLeg(plan.codec);
            legs.push(leg);
            return leg;
          },
          release: () => undefined,
        }),
    });
    for (let i = 0; i < 20 && srf.dialogs.length === 0; i++) await new Promise((r) => setImmediate(r));
    const offered = parseSdp(srf.uasSdps[0] ?? '').media[0]!;
    assert.equal(offered.port, 20002);
    assert.ok(offered.payloadTypes.includes(8));
    srf.dialogs[0]!.emit('ack', fakeReq({}, answer));
    const call = await running;
    if (expectLeg) {
      await entersState(call, 'agent', 200);
      assert.equal(legs[0]?.codec.name, 'PCMA');
      assert.equal(srf.dialogs[0]!.destroyed, false);
    } else {
      assert.equal(call.state.status === 'ended' && call.state.termination.reason, 'late offer: no-common-codec');
      assert.equal(legs.length, 0);
      assert.equal(srf.dialogs[0]!.destroyed, true, 'BYE sent through dialog.destroy()');
    }
    dialog.emit('bye');
  }
});
