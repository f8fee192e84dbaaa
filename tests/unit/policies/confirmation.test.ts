import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONFIRM_INITIAL, confirmStep, hearAnswer, type ConfirmEvent, type ConfirmState } from '../../../policies/confirmation.ts';

function run(events: ConfirmEvent[]): { state: ConfirmState; actions: string[] } {
  let state = CONFIRM_INITIAL;
  const actions: string[] = [];
  for (const e of events) {
    const step = confirmStep(state, e);
    state = step.state;
    for (const a of step.actions) actions.push(a.type === 'say' ? `say:${a.what}` : a.type === 'listen' ? `listen:${a.ms}` : `done:${a.result}`);
  }
  return { state, actions };
}

test('DTMF 1 after the question confirms; 2 declines', () => {
  assert.deepEqual(run([{ type: 'start' }, { type: 'prompt-played' }, { type: 'dtmf', digit: '1' }]).actions, ['say:question', 'listen:8000', 'done:yes']);
  assert.deepEqual(run([{ type: 'start' }, { type: 'prompt-played' }, { type: 'dtmf', digit: '2' }]).actions, ['say:question', 'listen:8000', 'done:no']);
});

test('a key press during the question counts (barge-in); speech during it does not (echo of "say yes")', () => {
  assert.deepEqual(run([{ type: 'start' }, { type: 'dtmf', digit: '1' }]).actions, ['say:question', 'done:yes']);
  const r = run([{ type: 'start' }, { type: 'speech', text: 'yes' }]);
  assert.equal(r.state.status, 'asking');
  assert.deepEqual(r.actions, ['say:question']);
});

test('spoken yes and no after the question', () => {
  assert.equal(run([{ type: 'start' }, { type: 'prompt-played' }, { type: 'speech', text: 'Yes, please do.' }]).state.status === 'done' && 'yes', 'yes');
  const no = run([{ type: 'start' }, { type: 'prompt-played' }, { type: 'speech', text: "No, don't." }]);
  assert.deepEqual(no.state, { status: 'done', result: 'no' });
});

test('unclear answers re-ask, then give up as no; silence re-asks, then times out', () => {
  const unclear = run([{ type: 'start' }, { type: 'prompt-played' }, { type: 'speech', text: 'what was that' }, { type: 'prompt-played' }, { type: 'dtmf', digit: '7' }]);
  assert.deepEqual(unclear.actions, ['say:question', 'listen:8000', 'say:reprompt', 'listen:8000', 'done:no']);
  const silent = run([{ type: 'start' }, { type: 'prompt-played' }, { type: 'timeout' }, { type: 'prompt-played' }, { type: 'timeout' }]);
  assert.deepEqual(silent.actions, ['say:question', 'listen:8000', 'say:reprompt', 'listen:8000', 'done:timeout']);
});

test('once done, nothing changes it', () => {
  const done = run([{ type: 'start' }, { type: 'dtmf', digit: '2' }, { type: 'dtmf', digit: '1' }, { type: 'speech', text: 'yes' }]);
  assert.deepEqual(done.state, { status: 'done', result: 'no' });
});

test('hearing answers', () => {
  for (const t of ['yes', 'Yeah sure', 'correct', 'go ahead', "that's right", 'OK']) assert.equal(hearAnswer(t), 'yes', t);
  for (const t of ['no', 'nope', 'cancel that', 'do not do it', 'wait']) assert.equal(hearAnswer(t), 'no', t);
  for (const t of ['maybe', 'what is it for', '']) assert.equal(hearAnswer(t), 'unclear', t);
});
