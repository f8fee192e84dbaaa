import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import type { AgentCallContext, AgentFactory, AgentSession } from '../../../../agent/types.ts';
import type { Band } from '../../../../codecs/types.ts';
import { loadConfig } from '../../../../config/load.ts';
import { entersState } from '../../../../gateway/call/call.ts';
import { CallRegistry } from '../../../../gateway/call/call-registry.ts';
import { runCall, type CallRunnerDeps } from '../../../../gateway/call/call-runner.ts';
import { silentLogger } from '../../../../gateway/log.ts';
import { metrics } from '../../../../gateway/metrics.ts';
import type { ReferOutcome, SipDialog, SipDialogEvents } from '../../../../gateway/sip/dialog.ts';
import { parseSdp } from '../../../../gateway/sip/sdp.ts';
import { fakeCallInfo } from '../../../fakes/fake-dialog.ts';
import { FakeLeg } from '../../../fakes/fake-leg.ts';

/** A dialog whose INVITE had no SDP: `ack(body)` is the caller's ACK carrying (or not) the answer. */
class LateDialog extends EventEmitter<SipDialogEvents> implements SipDialog {
  readonly backend = 'embedded' as const;
  readonly offer = '';
  readonly info = fakeCallInfo();
  state: SipDialog['state'] = 'early';
  readonly actions: string[] = [];
  sent: string | undefined;
  byeHeaders: Readonly<Record<string, string>> | undefined;
  #ack: ((body: string | void) => void) | undefined;
  progress(status: 180 | 183): void {
    this.actions.push(`progress ${status}`);
  }
  answer(sdp: string): Promise<string | void> {
    this.actions.push('answer');
    this.sent = sdp;
    this.state = 'confirmed';
    return new Promise((r) => (this.#ack = r));
  }
  ack(body?: string): void {
    this.#ack?.(body);
  }
  reject(status: number): void {
    this.actions.push(`reject ${status}`);
    this.state = 'terminated';
  }
  bye(headers?: Readonly<Record<string, string>>): Promise<void> {
    this.actions.push('bye');
    this.byeHeaders = headers;
    this.state = 'terminated';
    return Promise.resolve();
  }
  refer(): Promise<ReferOutcome> {
    return Promise.resolve({ ok: false, stage: 'rejected' });
  }
}

const ANSWER = (pts: string, port = 41000) =>
  ['v=0', 'o=caller 1 1 IN IP4 198.51.100.7', 's=-', 'c=IN IP4 198.51.100.7', 't=0 0', `m=audio ${port} RTP/AVP ${pts}`, 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:9 G722/8000', 'a=rtpmap:96 telephone-event/8000', 'a=sendrecv', ''].join('\r\n');

function setup(answerDelayMs = 0) {
  const base = loadConfig({ env: {} });
  const config = { ...base, calls: { ...base.calls, answerDelayMs } };
  const legs: FakeLeg[] = [];
  const bands: Band[] = [];
  const reservations = { taken: 0, released: 0 };
  const agents: AgentCallContext[] = [];
  const factory: AgentFactory = {
    kind: 'menu',
    create: (ctx): AgentSession => {
      agents.push(ctx);
      return { kind: 'menu', start: () => Promise.resolve(), notify: () => undefined, stop: () => Promise.resolve() };
    },
  };
  const deps: CallRunnerDeps = {
    config,
    log: silentLogger,
    registry: new CallRegistry(),
    agentsFor: (_info, band) => {
      bands.push(band);
      return [factory];
    },
    isAccepting: () => true,
    openMedia: () => Promise.reject(new Error('an offer-less INVITE opens its leg on the reserved port')),
    reserveMedia: () => {
      reservations.taken++;
      let open = false;
      return Promise.resolve({
        address: '192.0.2.10',
        port: 20000,
        open: async (plan) => {
          open = true;
          const leg = new FakeLeg(plan.codec);
          leg.updateRemote(plan.remote.address, plan.remote.port);
          legs.push(leg);
          return leg;
        },
        release: () => {
          if (!open) reservations.released++;
        },
      });
    },
  };
  return { deps, legs, bands, agents, reservations };
}

async function counter(outcome: string): Promise<number> {
  const v = (await metrics.lateOffers.get()).values.find((x) => x.labels.outcome === outcome);
  return v?.value ?? 0;
}

const tick = () => new Promise((r) => setImmediate(r));

test('offer-less INVITE: 200 carries our offer on the reserved port; the ACK answer opens the leg and the agent', async () => {
  const { deps, legs, bands, agents, reservations } = setup();
  const dialog = new LateDialog();
  const before = await counter('connected');
  const running = runCall(dialog, deps);
  await tick();
  assert.deepEqual(dialog.actions, ['progress 180', 'answer']);
  const offer = parseSdp(dialog.sent ?? '').media[0]!;
  assert.equal(offer.port, 20000);
  assert.deepEqual(offer.payloadTypes.slice(0, 4), [111, 9, 0, 8]); // config default: opus, G722, PCMU, PCMA
  assert.equal(legs.length, 0, 'no leg before the answer');
  assert.equal(agents.length, 0, 'no agent before the answer');
  dialog.ack(ANSWER('0 96'));
  const call = await running;
  await entersState(call, 'agent', 200);
  assert.equal(legs[0]?.codec.name, 'PCMU');
  assert.deepEqual(legs[0]?.remote, { address: '198.51.100.7', port: 41000 });
  // The answer's band (narrow) chose the agent, not our provisional first preference (opus, wide).
  assert.equal(agents[0]?.band, 'narrow');
  assert.deepEqual(bands, ['narrow']);
  assert.equal(await counter('connected'), before + 1);
  assert.equal(reservations.released, 0);
  dialog.emit('bye');
  assert.equal(call.state.status, 'ended');
  assert.equal(legs[0]?.closedWith, 'caller-hangup');
});

test('a G.722 answer makes a wideband call', async () => {
  const { deps, legs, agents } = setup();
  const dialog = new LateDialog();
  const running = runCall(dialog, deps);
  await tick();
  dialog.ack(ANSWER('9'));
  const call = await running;
  await entersState(call, 'agent', 200);
  assert.equal(legs[0]?.codec.name, 'G722');
  assert.equal(agents[0]?.band, 'wide');
  dialog.emit('bye');
});

for (const [name, body, outcome] of [
  ['an ACK without SDP', undefined, 'no-answer'],
  ['an answer refusing the stream (port 0)', ANSWER('0', 0), 'no-common-codec'],
  ['an answer with no codec of ours', ANSWER('18'), 'no-common-codec'],
] as const) {
  test(`${name} → BYE with a Reason, counted, call ended with 488, port given back`, async () => {
    const { deps, legs, agents, reservations } = setup();
    const dialog = new LateDialog();
    const before = await counter(outcome);
    const running = runCall(dialog, deps);
    await tick();
    dialog.ack(body);
    const call = await running;
    assert.deepEqual(dialog.actions, ['progress 180', 'answer', 'bye']);
    assert.match(dialog.byeHeaders?.Reason ?? '', /cause=488/);
    assert.equal(call.state.status, 'ended');
    assert.equal(call.state.status === 'ended' && call.state.termination.sipStatus, 488);
    assert.equal(call.state.status === 'ended' && call.state.termination.reason, `late offer: ${outcome}`);
    assert.equal(await counter(outcome), before + 1);
    assert.equal(legs.length, 0);
    assert.equal(agents.length, 0);
    assert.equal(reservations.released, 1);
    assert.equal(deps.registry.size, 0);
  });
}

test('a CANCEL while ringing gives the reserved port back and never answers', async () => {
  const { deps, reservations } = setup(5000);
  const dialog = new LateDialog();
  const running = runCall(dialog, deps);
  await tick();
  dialog.emit('cancel');
  const call = await running;
  assert.equal(call.state.status === 'ended' && call.state.termination.result, 'caller-cancel');
  assert.deepEqual(dialog.actions, ['progress 180']);
  assert.equal(reservations.released, 1);
});

test('without reserveMedia (FreeSWITCH media) an offer-less INVITE is still refused 488', async () => {
  const { deps } = setup();
  const { reserveMedia: _, ...rest } = deps;
  const dialog = new LateDialog();
  const call = await runCall(dialog, rest);
  assert.deepEqual(dialog.actions, ['reject 488']);
  assert.equal(call.state.status === 'ended' && call.state.termination.result, 'rejected');
});
