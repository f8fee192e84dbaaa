import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { AgentCallEvent, AgentSession } from '../../../../agent/types.ts';
import type { TransfersConfig } from '../../../../config/types.ts';
import { AuditLog } from '../../../../gateway/audit/audit-log.ts';
import { verifyAuditFile } from '../../../../gateway/audit/audit-verify.ts';
import { Call } from '../../../../gateway/call/call.ts';
import { transferCall } from '../../../../gateway/call/transfer.ts';
import { handleIncomingRefer } from '../../../../gateway/call/incoming-refer.ts';
import { silentLogger } from '../../../../gateway/log.ts';
import { metrics } from '../../../../gateway/metrics.ts';
import type { IncomingRefer } from '../../../../gateway/sip/dialog.ts';
import { FakeDialog } from '../../../fakes/fake-dialog.ts';
import { FakeLeg } from '../../../fakes/fake-leg.ts';

const CFG: TransfersConfig = { allowedTargets: ['sip:operator@pbx.example.com', 'sip:*@desk.example.com'], incomingRefer: 'reject', timeoutSec: 5 };

class StubAgent implements AgentSession {
  readonly kind = 'menu' as const;
  stopped: string | undefined;
  start(): Promise<void> {
    return Promise.resolve();
  }
  notify(_e: AgentCallEvent): void {}
  stop(reason: string): Promise<void> {
    this.stopped ??= reason;
    return Promise.resolve();
  }
}

/** A call with its agent running (answered, ACKed). */
function agentCall() {
  const dialog = new FakeDialog('v=0');
  dialog.state = 'confirmed';
  const call = new Call(dialog, silentLogger);
  const leg = new FakeLeg();
  const agent = new StubAgent();
  call.state = { status: 'answering', since: 0, leg, agent };
  call.state = { status: 'connected', since: 0, leg, agent, answeredAt: 0 };
  call.state = { status: 'agent', since: 0, leg, agent, answeredAt: 0 };
  return { dialog, call, leg, agent };
}

const counter = async (result: string): Promise<number> => (await metrics.transfers.get()).values.find((v) => v.labels.result === result)?.value ?? 0;
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
/** The result a call ended with (read through a function: assert.equal narrows `call.state`). */
const resultOf = (call: Call): string | undefined => (call.state.status === 'ended' ? call.state.termination.result : undefined);

test('allowed target: agent → transferring → ended "transferred", then BYE; the agent is stopped', async () => {
  const { dialog, call, leg, agent } = agentCall();
  const before = await counter('transferred');
  const result = transferCall(call, 'sip:operator@pbx.example.com', CFG);
  assert.equal(call.state.status, 'transferring');
  const refer = dialog.refers[0]!;
  assert.equal(refer.target, 'sip:operator@pbx.example.com');
  assert.equal(refer.opts.timeoutMs, 5000);
  refer.settle({ ok: true, status: 200 });
  assert.deepEqual(await result, { ok: true });
  assert.equal(resultOf(call), 'transferred');
  assert.deepEqual(dialog.actions, ['refer', 'bye']);
  assert.equal(agent.stopped, 'transferred');
  assert.equal(leg.closedWith, 'transferred');
  assert.equal(await counter('transferred'), before + 1);
});

test('a target off the allowlist is refused before anything is sent', async () => {
  const { dialog, call } = agentCall();
  for (const target of ['sip:attacker@evil.example', 'sip:a@evil.example;x=@desk.example.com', 'sip:operator@pbx.example.com;method=INVITE?Replaces=x']) {
    assert.deepEqual(await transferCall(call, target, CFG), { ok: false, reason: 'refused' }, target);
  }
  assert.deepEqual(dialog.actions, []);
  assert.equal(call.state.status, 'agent');
});

test('failures bring the call back to its agent with the reason and status', async () => {
  for (const [outcome, expected] of [
    [{ ok: false, stage: 'failed', status: 486 }, { ok: false, reason: 'failed', sipStatus: 486 }],
    [{ ok: false, stage: 'rejected', status: 603 }, { ok: false, reason: 'rejected', sipStatus: 603 }],
    [{ ok: false, stage: 'timeout' }, { ok: false, reason: 'timeout' }],
  ] as const) {
    const { dialog, call, agent } = agentCall();
    const result = transferCall(call, 'sip:bob@desk.example.com', CFG);
    dialog.refers[0]!.settle(outcome);
    assert.deepEqual(await result, expected);
    assert.equal(call.state.status, 'agent');
    assert.equal(agent.stopped, undefined, 'the same agent goes on');
    assert.deepEqual(dialog.actions, ['refer']);
  }
});

test('the caller hangs up during the transfer: the call ends caller-hangup, not transferred', async () => {
  const { dialog, call } = agentCall();
  const result = transferCall(call, 'sip:bob@desk.example.com', CFG);
  call.end({ result: 'caller-hangup' });
  dialog.refers[0]!.settle({ ok: false, stage: 'ended' });
  assert.deepEqual(await result, { ok: false, reason: 'unavailable' });
  assert.equal(resultOf(call), 'caller-hangup');
});

test('only a call with its agent can transfer (not twice at once)', async () => {
  const { dialog, call } = agentCall();
  void transferCall(call, 'sip:bob@desk.example.com', CFG);
  assert.deepEqual(await transferCall(call, 'sip:bob@desk.example.com', CFG), { ok: false, reason: 'unavailable' });
  assert.equal(dialog.refers.length, 1);
  await tick();
});

function fakeRefer() {
  const steps: string[] = [];
  const refer: IncomingRefer = {
    target: 'sip:elsewhere@192.0.2.9',
    referredBy: undefined,
    accept: () => steps.push('accept'),
    reject: (status) => steps.push(`reject ${status}`),
    finish: (status) => steps.push(`finish ${status}`),
  };
  return { refer, steps };
}

test('incoming REFER: policy reject → 403; accept → 202 then an honest final 503; the call goes on', () => {
  const { call } = agentCall();
  const a = fakeRefer();
  handleIncomingRefer(call, a.refer, 'reject');
  assert.deepEqual(a.steps, ['reject 403']);
  const b = fakeRefer();
  handleIncomingRefer(call, b.refer, 'accept');
  assert.deepEqual(b.steps, ['accept', 'finish 503']);
  assert.equal(call.state.status, 'agent');
});

test('incoming REFER while our own transfer runs → 491', () => {
  const { call } = agentCall();
  void transferCall(call, 'sip:bob@desk.example.com', CFG);
  const r = fakeRefer();
  handleIncomingRefer(call, r.refer, 'accept');
  assert.deepEqual(r.steps, ['reject 491']);
});

test('transfers and incoming REFERs are recorded in the call\'s audit file, which verifies', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'transfer-audit-'));
  try {
    const audit = new AuditLog({ dir, redactPii: false }).openCall('xfer-1');
    const { dialog, call } = agentCall();
    const refused = transferCall(call, 'sip:bob@desk.example.com', CFG, audit.record);
    dialog.refers[0]!.settle({ ok: false, stage: 'failed', status: 486 });
    await refused;
    await transferCall(call, 'sip:attacker@evil.example', CFG, audit.record);
    handleIncomingRefer(call, fakeRefer().refer, 'accept', audit.record);
    handleIncomingRefer(call, fakeRefer().refer, 'reject', audit.record);
    const done = transferCall(call, 'sip:operator@pbx.example.com', CFG, audit.record);
    dialog.refers[1]!.settle({ ok: true, status: 200 });
    await done;
    await audit.close();
    assert.equal(verifyAuditFile(audit.file).ok, true);
    const lines = readFileSync(audit.file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> });
    assert.ok(lines.every((l) => l.type === 'transfer'));
    assert.deepEqual(lines.map((l) => l.data), [
      { direction: 'outbound', target: 'sip:bob@desk.example.com', outcome: 'failed', sipStatus: 486 },
      { direction: 'outbound', target: 'sip:attacker@evil.example', outcome: 'refused' },
      { direction: 'inbound', target: 'sip:elsewhere@192.0.2.9', policy: 'accept', action: 'accepted', sipStatus: 202, notifyStatus: 503 },
      { direction: 'inbound', target: 'sip:elsewhere@192.0.2.9', policy: 'reject', action: 'rejected', sipStatus: 403 },
      { direction: 'outbound', target: 'sip:operator@pbx.example.com', outcome: 'transferred', sipStatus: 200 },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
