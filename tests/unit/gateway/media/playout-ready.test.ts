import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Playout } from '../../../../gateway/media/playout.ts';

/** `onReady`: when a new talkspurt could leave at once instead of at the leg's next tick. */

const frame = (n = 160, v = 1000) => new Int16Array(n).fill(v);

function setup() {
  const p = new Playout({ sampleRate: 8000 });
  let told = 0;
  p.onReady(() => told++);
  return { p, told: () => told };
}

test('told when a full frame is queued after a silent pull, once until the next pull', () => {
  const { p, told } = setup();
  const out = new Int16Array(160);
  assert.equal(p.pullInto(out), false);
  const seg = p.begin('a');
  seg.push(frame(80));
  assert.equal(told(), 0, 'half a frame of a streaming segment would be padded with silence');
  seg.push(frame(80));
  assert.equal(told(), 1);
  seg.push(frame(160));
  assert.equal(told(), 1, 'once per silent pull');
  assert.equal(p.pullInto(out), true);
  seg.push(frame(160));
  assert.equal(told(), 1, 'not while a talkspurt is on the wire (the last pull carried audio)');
});

test('a clip shorter than a frame is told at its end; a new talkspurt after silence is told again', () => {
  const { p, told } = setup();
  const out = new Int16Array(160);
  void p.play('short', frame(40));
  assert.equal(told(), 1, 'before any pull, the queue counts as silent');
  assert.equal(p.pullInto(out), true);
  assert.deepEqual([out[39], out[40]], [1000, 0]);
  assert.equal(p.pullInto(out), false);
  void p.play('next', frame(320));
  assert.equal(told(), 2);
});

test('a starved stream that resumes is a new talkspurt; removing the listener stops the calls', () => {
  const { p, told } = setup();
  const out = new Int16Array(160);
  const seg = p.begin('s');
  seg.push(frame(160));
  assert.equal(told(), 1);
  assert.equal(p.pullInto(out), true);
  assert.equal(p.pullInto(out), false, 'starved: silence');
  seg.push(frame(160));
  assert.equal(told(), 2);
  p.onReady(undefined);
  assert.equal(p.pullInto(out), true);
  assert.equal(p.pullInto(out), false);
  seg.push(frame(160));
  assert.equal(told(), 2);
});
