import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Call } from '../../../gateway/call/call.ts';
import { CallRegistry } from '../../../gateway/call/call-registry.ts';
import { drainCalls } from '../../../gateway/drain.ts';
import { silentLogger } from '../../../gateway/log.ts';
import { FakeDialog } from '../../fakes/fake-dialog.ts';

function callWith(registry: CallRegistry, state: 'early' | 'confirmed'): { call: Call; dialog: FakeDialog } {
  const dialog = new FakeDialog('v=0');
  dialog.state = state;
  const call = new Call(dialog, silentLogger);
  registry.add(call);
  return { call, dialog };
}

test('drain waits for calls that end by themselves within the window, and sends nothing', async () => {
  const registry = new CallRegistry();
  const { call, dialog } = callWith(registry, 'confirmed');
  const t0 = Date.now();
  setTimeout(() => call.end({ result: 'caller-hangup' }), 100);
  await drainCalls(registry, 5000, silentLogger);
  assert.ok(Date.now() - t0 < 2000);
  assert.deepEqual(dialog.actions, []);
});

test('calls still up when the window closes get a BYE (or 503 if unanswered) and end as shutdown', async () => {
  const registry = new CallRegistry();
  const a = callWith(registry, 'confirmed');
  const b = callWith(registry, 'early');
  const t0 = Date.now();
  await drainCalls(registry, 200, silentLogger);
  assert.ok(Date.now() - t0 >= 190);
  assert.deepEqual(a.dialog.actions, ['bye']);
  assert.deepEqual(b.dialog.actions, ['reject 503']);
  assert.equal(registry.size, 0);
  for (const { call } of [a, b]) assert.ok(call.state.status === 'ended' && call.state.termination.result === 'shutdown');
});
