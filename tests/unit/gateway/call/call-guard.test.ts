import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AgentCallContext, AgentFactory, AgentSession } from '../../../../agent/types.ts';
import { loadConfig } from '../../../../config/load.ts';
import { entersState, type Call } from '../../../../gateway/call/call.ts';
import { CallRegistry } from '../../../../gateway/call/call-registry.ts';
import { faultInCurrentCall } from '../../../../gateway/call/call-guard.ts';
import { runCall, type CallRunnerDeps } from '../../../../gateway/call/call-runner.ts';
import { silentLogger } from '../../../../gateway/log.ts';
import { metrics } from '../../../../gateway/metrics.ts';
import { FakeDialog } from '../../../fakes/fake-dialog.ts';
import { FakeLeg } from '../../../fakes/fake-leg.ts';

const OFFER = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 6000 RTP/AVP 0 101', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=sendrecv', ''].join('\r\n');

/** An agent whose behaviour on DTMF (and at start) is the test's. */
class ScriptedAgent implements AgentSession {
  readonly kind = 'menu' as const;
  constructor(
    readonly ctx: AgentCallContext,
    private readonly onStart: (ctx: AgentCallContext) => void,
  ) {}
  start(): Promise<void> {
    this.onStart(this.ctx);
    return Promise.resolve();
  }
  notify(): void {}
  stop(): Promise<void> {
    return Promise.resolve();
  }
}

function setup(onStart: (ctx: AgentCallContext, n: number) => void) {
  const config = loadConfig({ env: {} });
  const legs: FakeLeg[] = [];
  let n = 0;
  const factory: AgentFactory = { kind: 'menu', create: (ctx) => new ScriptedAgent(ctx, (c) => onStart(c, n++)) };
  const deps: CallRunnerDeps = {
    config,
    log: silentLogger,
    registry: new CallRegistry(),
    agentsFor: () => [factory],
    isAccepting: () => true,
    openMedia: async (plan) => {
      const leg = new FakeLeg(plan.codec);
      legs.push(leg);
      return { leg, address: '127.0.0.1', port: 20000 + legs.length * 2 };
    },
  };
  return { deps, legs };
}

async function connected(deps: CallRunnerDeps): Promise<{ call: Call; dialog: FakeDialog }> {
  const dialog = new FakeDialog(OFFER);
  const running = runCall(dialog, deps);
  await new Promise((r) => setImmediate(r));
  dialog.ack();
  const call = await running;
  await entersState(call, 'agent', 500);
  return { call, dialog };
}

async function errorsAt(stage: string): Promise<number> {
  const m = await metrics.callErrors.get();
  return m.values.find((v) => v.labels.stage === stage)?.value ?? 0;
}

test('a leg dtmf listener that throws ends only its call (BYE, error, metric); the other call stays up', async () => {
  const { deps, legs } = setup((ctx, n) => {
    ctx.leg.on('dtmf', () => {
      if (n === 0) throw new Error('menu bug');
    });
  });
  const a = await connected(deps);
  const b = await connected(deps);
  const before = await errorsAt('agent');
  // The emitter (the RTP receive path) must not see the exception.
  assert.doesNotThrow(() => legs[0]!.emit('dtmf', { digit: '1', durationMs: 100, source: 'rfc4733' }));
  assert.equal(a.call.state.status === 'ended' && a.call.state.termination.result, 'error');
  assert.ok(a.dialog.actions.includes('bye'));
  assert.equal(legs[0]!.closedWith, 'error');
  assert.equal((await errorsAt('agent')) - before, 1);
  // The second call's listener runs normally and the call goes on.
  legs[1]!.emit('dtmf', { digit: '1', durationMs: 100, source: 'rfc4733' });
  assert.equal(b.call.state.status, 'agent');
  assert.ok(!b.dialog.actions.includes('bye'));
  assert.equal(deps.registry.size, 1);
  b.dialog.emit('bye');
});

test('removing a listener through the guarded leg view removes it', async () => {
  let calls = 0;
  const { deps, legs } = setup((ctx) => {
    const fn = (): void => void calls++;
    ctx.leg.on('dtmf', fn);
    ctx.leg.off('dtmf', fn);
  });
  const a = await connected(deps);
  legs[0]!.emit('dtmf', { digit: '1', durationMs: 100, source: 'rfc4733' });
  assert.equal(calls, 0);
  assert.equal(legs[0]!.listenerCount('dtmf'), 0);
  a.dialog.emit('bye');
});

test("a timer the agent set runs in its call's scope: a process-level handler hands the fault to that call", async () => {
  let taken: boolean | undefined;
  const { deps } = setup((_ctx, n) => {
    // What main.ts's uncaughtException handler does, observed from inside the timer's context.
    if (n === 0) setTimeout(() => (taken = faultInCurrentCall('uncaught', new Error('timer bug'))), 5);
  });
  const a = await connected(deps);
  const b = await connected(deps);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(taken, true);
  assert.equal(a.call.state.status === 'ended' && a.call.state.termination.result, 'error');
  assert.equal(b.call.state.status, 'agent');
  assert.equal(faultInCurrentCall('uncaught', new Error('outside any call')), false);
  b.dialog.emit('bye');
});

test('a throwing reinvite handler path ends the call instead of escaping into the SIP stack', async () => {
  const { deps } = setup(() => undefined);
  const a = await connected(deps);
  const before = await errorsAt('reinvite');
  const hostile = {
    get sdp(): string {
      throw new Error('handler bug');
    },
    accept: () => undefined,
    reject: () => undefined,
  };
  assert.doesNotThrow(() => a.dialog.emit('reinvite', hostile));
  assert.equal(a.call.state.status === 'ended' && a.call.state.termination.result, 'error');
  assert.equal((await errorsAt('reinvite')) - before, 1);
});
