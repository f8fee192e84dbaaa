/**
 * Playout.audioStopped(): barge-in stop time is measured to the first pull without agent audio,
 * i.e. after the last agent packet the leg actually sent, on the playout's own clock.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Playout } from '../../../../gateway/media/playout.ts';

function rig(): { p: Playout; frame: Int16Array; setNow: (t: number) => void } {
  let now = 0;
  const p = new Playout({ sampleRate: 8000, now: () => now });
  return { p, frame: new Int16Array(160), setNow: (t) => (now = t) };
}

const tone = (n: number): Int16Array => Int16Array.from({ length: n }, (_, i) => (i % 2 ? 1000 : -1000));

describe('Playout.audioStopped', () => {
  test('resolves at the first silent pull after a clear, with the last audio pull time', async () => {
    const { p, frame, setNow } = rig();
    p.play('a', tone(8000));
    setNow(100);
    assert.equal(p.pullInto(frame), true);
    setNow(120);
    assert.equal(p.pullInto(frame), true);
    setNow(131);
    const stopped = p.audioStopped();
    p.clear();
    setNow(140);
    assert.equal(p.pullInto(frame), false);
    assert.deepEqual(await stopped, { askedAt: 131, lastAudioAt: 120, silentAt: 140 });
  });

  test('audio that still goes out after the clear delays the stop (it is counted)', async () => {
    const { p, frame, setNow } = rig();
    p.play('a', tone(1600));
    setNow(20);
    p.pullInto(frame);
    setNow(25);
    const stopped = p.audioStopped();
    p.clear();
    // A segment queued after the clear (a late delta that slipped through) is played first.
    p.play('late', tone(160));
    setNow(40);
    assert.equal(p.pullInto(frame), true);
    setNow(60);
    assert.equal(p.pullInto(frame), false);
    const s = await stopped;
    assert.equal(s.lastAudioAt, 40);
    assert.equal(s.silentAt - s.askedAt, 35);
  });

  test('nothing resolves while the leg does not pull; waiters are bounded', async () => {
    const { p, frame, setNow } = rig();
    let resolved = 0;
    for (let i = 0; i < 20; i++) void p.audioStopped().then(() => resolved++);
    await new Promise((r) => setImmediate(r));
    assert.equal(resolved, 0);
    setNow(20);
    p.pullInto(frame);
    await new Promise((r) => setImmediate(r));
    assert.equal(resolved, 8, 'at most 8 waiters are kept');
    // One-shot: later silent pulls do not resolve anything more.
    p.pullInto(frame);
    await new Promise((r) => setImmediate(r));
    assert.equal(resolved, 8);
  });
});
