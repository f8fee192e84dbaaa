import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AgentCallContext, AgentCallEvent, AgentFactory, AgentSession } from '../../../../agent/types.ts';
import { loadConfig } from '../../../../config/load.ts';
import type { Config } from '../../../../config/types.ts';
import { entersState } from '../../../../gateway/call/call.ts';
import { CallRegistry } from '../../../../gateway/call/call-registry.ts';
import { runCall, type CallRunnerDeps } from '../../../../gateway/call/call-runner.ts';
import { silentLogger } from '../../../../gateway/log.ts';
import type { ReInvite } from '../../../../gateway/sip/dialog.ts';
import { FakeDialog, fakeCallInfo } from '../../../fakes/fake-dialog.ts';
import { FakeLeg } from '../../../fakes/fake-leg.ts';

const OFFER = (direction = 'sendrecv', codecs = '0 8 101') =>
  ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio 6000 RTP/AVP ${codecs}`, 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16', `a=${direction}`, ''].join('\r\n');

class RecordingAgent implements AgentSession {
  readonly kind = 'menu' as const;
  events: string[] = [];
  constructor(readonly ctx: AgentCallContext) {}
  start(): Promise<void> {
    this.events.push('start');
    return Promise.resolve();
  }
  notify(e: AgentCallEvent): void {
    this.events.push(e.type);
  }
  stop(reason: string): Promise<void> {
    this.events.push(`stop:${reason}`);
    return Promise.resolve();
  }
}

function setup(over: Partial<Config['calls']> = {}) {
  const base = loadConfig({ env: {} });
  const config = { ...base, calls: { ...base.calls, ...over } } as Config;
  const legs: FakeLeg[] = [];
  const agents: RecordingAgent[] = [];
  const factory: AgentFactory = {
    kind: 'menu',
    create: (ctx) => {
      const a = new RecordingAgent(ctx);
      agents.push(a);
      return a;
    },
  };
  const deps: CallRunnerDeps = {
    config,
    log: silentLogger,
    registry: new CallRegistry(),
    agentsFor: () => [factory],
    isAccepting: () => true,
    openMedia: async (plan) => {
      const leg = new FakeLeg(plan.codec);
      legs.push(leg);
      return { leg, address: '127.0.0.1', port: 20000 };
    },
  };
  return { deps, legs, agents };
}

test('answers a PCMU offer, starts the agent after ACK, ends on BYE and releases the leg', async () => {
  const { deps, legs, agents } = setup();
  const dialog = new FakeDialog(OFFER());
  const running = runCall(dialog, deps);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(dialog.actions, ['progress 180', 'answer']);
  assert.match(dialog.answeredSdp ?? '', /m=audio 20000 RTP\/AVP 0 101/);
  dialog.ack();
  const call = await running;
  await entersState(call, 'agent', 100);
  assert.deepEqual(agents[0]?.events, ['start']);
  dialog.emit('bye');
  assert.equal(call.state.status, 'ended');
  assert.equal(call.state.status === 'ended' && call.state.termination.result, 'caller-hangup');
  assert.equal(legs[0]?.closedWith, 'caller-hangup');
  assert.deepEqual(agents[0]?.events, ['start', 'stop:caller-hangup']);
  assert.equal(deps.registry.size, 0);
});

test('no common codec → 488 and the call ends rejected', async () => {
  const { deps, legs } = setup();
  const dialog = new FakeDialog(OFFER('sendrecv', '18').replace(/a=rtpmap:[08] .*\r\n/g, ''));
  const call = await runCall(dialog, deps);
  assert.deepEqual(dialog.actions, ['reject 488']);
  assert.equal(call.state.status === 'ended' && call.state.termination.sipStatus, 488);
  assert.equal(legs.length, 0);
});

test('a source outside every trunk → 403', async () => {
  const { deps } = setup();
  const dialog = new FakeDialog(OFFER(), fakeCallInfo({ trunk: undefined }));
  await runCall(dialog, deps);
  assert.deepEqual(dialog.actions, ['reject 403']);
});

test('CANCEL while ringing ends the call and closes the leg; no answer follows', async () => {
  const { deps, legs } = setup({ answerDelayMs: 200 });
  const dialog = new FakeDialog(OFFER());
  const running = runCall(dialog, deps);
  await new Promise((r) => setTimeout(r, 20));
  dialog.emit('cancel');
  const call = await running;
  assert.equal(call.state.status === 'ended' && call.state.termination.result, 'caller-cancel');
  assert.ok(!dialog.actions.includes('answer'));
  assert.equal(legs[0]?.closedWith, 'caller-cancel');
});

test('agent hangup sends BYE; media timeout sends BYE', async () => {
  for (const trigger of ['agent', 'media'] as const) {
    const { deps, legs, agents } = setup();
    const dialog = new FakeDialog(OFFER());
    const running = runCall(dialog, deps);
    await new Promise((r) => setImmediate(r));
    dialog.ack();
    const call = await running;
    if (trigger === 'agent') agents[0]!.ctx.control.hangup('agent-hangup');
    else legs[0]!.emit('media-timeout');
    assert.ok(dialog.actions.includes('bye'));
    assert.equal(call.state.status === 'ended' && call.state.termination.result, trigger === 'agent' ? 'agent-hangup' : 'media-timeout');
  }
});

test('re-INVITE to hold and back: leg direction, agent notified, answers mirror the offer', async () => {
  const { deps, legs, agents } = setup();
  const dialog = new FakeDialog(OFFER());
  const running = runCall(dialog, deps);
  await new Promise((r) => setImmediate(r));
  dialog.ack();
  await running;
  const reinvite = (sdp: string) => {
    const out: { status?: number; sdp?: string } = {};
    const re: ReInvite = { sdp, accept: (s) => Object.assign(out, { status: 200, sdp: s }), reject: (st) => Object.assign(out, { status: st }) };
    dialog.emit('reinvite', re);
    return out;
  };
  const held = reinvite(OFFER('sendonly').replace('o=- 1 1', 'o=- 1 2'));
  assert.equal(held.status, 200);
  assert.match(held.sdp ?? '', /a=recvonly/);
  assert.equal(legs[0]?.direction, 'recvonly');
  const resumed = reinvite(OFFER('sendrecv').replace('o=- 1 1', 'o=- 1 3'));
  assert.match(resumed.sdp ?? '', /a=sendrecv/);
  assert.equal(legs[0]?.direction, 'sendrecv');
  assert.deepEqual(agents[0]?.events, ['start', 'hold', 'resume']);
  // Our o= version rose with each change of our SDP (RFC 3264 §8).
  const v = (s?: string) => Number(/^o=\S+ \S+ (\d+)/m.exec(s ?? '')?.[1]);
  assert.ok(v(resumed.sdp) > v(held.sdp) && v(held.sdp) > v(dialog.answeredSdp));
  const g729 = reinvite(OFFER('sendrecv', '18').replace(/a=rtpmap:[08] .*\r\n/g, ''));
  assert.equal(g729.status, 488);
  dialog.emit('bye');
  assert.equal(deps.registry.size, 0);
});

test('an agent that fails hands the call to the next of the chain; with none left the call ends', async () => {
  const { deps, agents } = setup();
  const second: RecordingAgent[] = [];
  const fallbackFactory: AgentFactory = { kind: 'menu', create: (ctx) => (second.push(new RecordingAgent(ctx)), second[second.length - 1]!) };
  const primary = deps.agentsFor;
  const d = { ...deps, agentsFor: (...a: Parameters<typeof primary>) => [...primary(...a), fallbackFactory] };
  const dialog = new FakeDialog(OFFER());
  const running = runCall(dialog, d);
  await new Promise((r) => setImmediate(r));
  dialog.ack();
  const call = await running;
  agents[0]!.ctx.control.fallback('provider down');
  assert.deepEqual(agents[0]?.events, ['start', 'stop:fallback']);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(second[0]?.events, ['start']);
  assert.equal(call.state.status === 'agent' && call.state.agent, second[0]);
  // The next agent knows it takes over from a failed one (the menu apologises first), same call otherwise.
  assert.equal(agents[0]!.ctx.fallbackFrom, undefined);
  assert.deepEqual(second[0]!.ctx.fallbackFrom, { kind: agents[0]!.kind, reason: 'provider down' });
  assert.equal(second[0]!.ctx.callId, agents[0]!.ctx.callId);
  assert.equal(second[0]!.ctx.control, agents[0]!.ctx.control);
  second[0]!.ctx.control.fallback('menu broke too');
  assert.equal(call.state.status === 'ended' && call.state.termination.result, 'error');
  assert.ok(dialog.actions.includes('bye'));
});

test('a media failure that names its status (port pool exhausted → 503) is answered with it', async () => {
  const { deps } = setup();
  const { MediaError } = await import('../../../../gateway/errors.ts');
  const d = { ...deps, openMedia: async () => Promise.reject(new MediaError('no free RTP port', 503)) };
  const dialog = new FakeDialog(OFFER());
  const call = await runCall(dialog, d);
  assert.deepEqual(dialog.actions, ['reject 503']);
  assert.equal(call.state.status === 'ended' && call.state.termination.sipStatus, 503);
});
