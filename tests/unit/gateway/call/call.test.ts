import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Call, entersState } from '../../../../gateway/call/call.ts';
import { CallRegistry } from '../../../../gateway/call/call-registry.ts';
import { canTransition } from '../../../../gateway/call/call-state.ts';
import { silentLogger } from '../../../../gateway/log.ts';
import { FakeDialog } from '../../../fakes/fake-dialog.ts';

test('only legal transitions are allowed', () => {
  assert.ok(canTransition('offered', 'answering'));
  assert.ok(canTransition('agent', 'ended'));
  assert.ok(!canTransition('ended', 'agent'));
  assert.ok(!canTransition('offered', 'agent'));
  const call = new Call(new FakeDialog(''), silentLogger);
  assert.throws(() => (call.state = { status: 'connected', since: 0 } as never), /illegal call transition offered -> connected/);
  call.end({ result: 'error' });
  assert.throws(() => (call.state = { status: 'offered', since: 0 }), /illegal call transition ended -> offered/);
});

test('end() is idempotent and keeps the first termination', () => {
  const call = new Call(new FakeDialog(''), silentLogger);
  const seen: string[] = [];
  call.on('state', (s) => seen.push(s.status));
  call.end({ result: 'caller-cancel' });
  call.end({ result: 'error' });
  assert.deepEqual(seen, ['ended']);
  assert.equal(call.state.status === 'ended' && call.state.termination.result, 'caller-cancel');
});

test('registry tracks live calls and resolves whenEmpty after the last ends', async () => {
  const reg = new CallRegistry();
  const a = new Call(new FakeDialog(''), silentLogger);
  const b = new Call(new FakeDialog(''), silentLogger);
  reg.add(a);
  reg.add(b);
  assert.equal(reg.size, 2);
  let empty = false;
  const done = reg.whenEmpty().then(() => (empty = true));
  a.end({ result: 'caller-hangup' });
  await new Promise((r) => setImmediate(r));
  assert.equal(empty, false);
  b.end({ result: 'agent-hangup' });
  await done;
  assert.equal(reg.size, 0);
});

test('entersState resolves on the state and rejects on timeout', async () => {
  const call = new Call(new FakeDialog(''), silentLogger);
  const p = entersState(call, 'ended', 1000);
  call.end({ result: 'caller-hangup' });
  assert.equal((await p).status, 'ended');
  const other = new Call(new FakeDialog(''), silentLogger);
  await assert.rejects(entersState(other, 'agent', 20), /did not enter agent/);
});
