import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { CallerConfirmation, type ConfirmIo } from '../../../../agent/tools/caller-confirmation.ts';

/** A call's side as the confirmation sees it: prompts "play" for `playMs`, key presses arrive as events. */
class FakeIo implements ConfirmIo {
  readonly said: string[] = [];
  stopped = 0;
  readonly keys = new EventEmitter();
  constructor(readonly playMs = 20) {}
  say(text: string): Promise<void> {
    this.said.push(text);
    return new Promise((r) => setTimeout(r, this.playMs));
  }
  stopSaying(): void {
    this.stopped++;
  }
  onDtmf(listener: (d: string) => void): () => void {
    this.keys.on('dtmf', listener);
    return () => void this.keys.off('dtmf', listener);
  }
  press(d: string): void {
    this.keys.emit('dtmf', d);
  }
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('DTMF 1 after the question confirms, and the key listener is removed', async () => {
  const io = new FakeIo();
  const c = new CallerConfirmation(io, { listenMs: 500 });
  const answer = c.confirm('Cancel order B-7?');
  await tick(40);
  io.press('1');
  assert.equal(await answer, 'yes');
  assert.deepEqual(io.said, ['Cancel order B-7?']);
  assert.equal(io.keys.listenerCount('dtmf'), 0);
});

test("the caller's spoken yes counts only after the question has played", async () => {
  const io = new FakeIo(60);
  const c = new CallerConfirmation(io, { listenMs: 500 });
  const answer = c.confirm('Cancel?');
  await tick(10);
  c.hearCaller('yes'); // the prompt's own echo, or speech over it: ignored
  await tick(80);
  c.hearCaller('no thanks');
  assert.equal(await answer, 'no');
});

test('silence re-asks once, then times out as not confirmed', async () => {
  const io = new FakeIo(5);
  const c = new CallerConfirmation(io, { listenMs: 40, maxAsks: 2 });
  assert.equal(await c.confirm('Cancel?'), 'timeout');
  assert.deepEqual(io.said, ['Cancel?', 'Sorry, I did not get that. Cancel?']);
});

test('the call ending aborts a pending confirmation as a no', async () => {
  const io = new FakeIo(5);
  const c = new CallerConfirmation(io, { listenMs: 5000 });
  const ac = new AbortController();
  const answer = c.confirm('Cancel?', ac.signal);
  await tick(20);
  ac.abort();
  assert.equal(await answer, 'no');
  assert.equal(io.keys.listenerCount('dtmf'), 0);
});

test('two confirmations run one after the other', async () => {
  const io = new FakeIo(5);
  const c = new CallerConfirmation(io, { listenMs: 1000 });
  const a = c.confirm('First?');
  const b = c.confirm('Second?');
  await tick(20);
  io.press('1');
  assert.equal(await a, 'yes');
  await tick(20);
  assert.deepEqual(io.said, ['First?', 'Second?']);
  io.press('2');
  assert.equal(await b, 'no');
});
