import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JitterBuffer, jitterTargetMs, type JitterPacket } from '../../../../../gateway/media/rtp/jitter-buffer.ts';

/**
 * The target depth rule (four jitter estimates in whole frames, the frame period as margin on top)
 * and what it does to a stream: underruns, late packets and the delay each packet waits, simulated
 * tick by tick against the pure buffer with a seeded random network.
 */

const pkt = (sequence: number, marker = false): JitterPacket => ({ sequence: sequence & 0xffff, timestamp: (sequence * 160) >>> 0, ssrc: 9, marker });

test('target: four jitter estimates rounded up to whole frames, within min..max', () => {
  assert.equal(jitterTargetMs(0, 20, 20, 200), 20);
  // Any jitter at all used to cost two frames (ceil((20 + 4J) / 20)); one frame now covers J ≤ 5 ms.
  assert.equal(jitterTargetMs(0.3, 20, 20, 200), 20);
  assert.equal(jitterTargetMs(5, 20, 20, 200), 20);
  assert.equal(jitterTargetMs(5.01, 20, 20, 200), 40);
  assert.equal(jitterTargetMs(12, 20, 20, 200), 60);
  assert.equal(jitterTargetMs(0.3, 20, 40, 200), 40, 'the configured minimum holds');
  assert.equal(jitterTargetMs(300, 20, 20, 200), 200, 'and the maximum');
});

test('a configured minimum of one frame takes effect on a line with a little jitter', () => {
  const jb = new JitterBuffer<JitterPacket>({ minMs: 20, maxMs: 200, clockRate: 8000 });
  // ±1 ms of timer noise, as on a LAN or loopback.
  for (let s = 0; s < 100; s++) jb.push(pkt(s), s * 20 + (s % 2));
  assert.ok(jb.jitterMs > 0.5 && jb.jitterMs < 1.5, `jitter ${jb.jitterMs}`);
  assert.equal(jb.targetMs, 20);
});

test('each frame leaves with its packet arrival time', () => {
  const jb = new JitterBuffer<JitterPacket>({ minMs: 20, maxMs: 200, clockRate: 8000 });
  jb.push(pkt(1), 100.5);
  jb.push(pkt(0), 103.25); // reordered: arrived after its successor
  const a = jb.pop();
  const b = jb.pop();
  assert.ok(a.kind === 'frame' && b.kind === 'frame');
  assert.deepEqual([a.packet.sequence, a.arrivalMs, b.packet.sequence, b.arrivalMs], [0, 103.25, 1, 100.5]);
});

/** Park–Miller, so a failure replays. */
function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 48271) % 0x7fffffff) / 0x7fffffff;
}

interface Run {
  underruns: number;
  lost: number;
  late: number;
  /** Mean wait between a packet's arrival and its pop, ms. */
  meanWaitMs: number;
  targetMs: number;
}

/**
 * 20 s of a 20 ms stream whose packets each take a uniform random extra transit in [0, X] ms, popped
 * on 20 ms ticks offset by `phaseMs` from the sender's clock. Counts events after `warmMs` only.
 */
function simulate(minMs: number, maxJitterMs: number, phaseMs: number, seed: number, maxMs = 200, warmMs = 4000): Run {
  const jb = new JitterBuffer<JitterPacket>({ minMs, maxMs, clockRate: 8000 });
  const rand = rng(seed);
  const arrivals = Array.from({ length: 1000 }, (_, s) => ({ s, at: s * 20 + rand() * maxJitterMs })).sort((a, b) => a.at - b.at);
  const run: Run = { underruns: 0, lost: 0, late: 0, meanWaitMs: 0, targetMs: 0 };
  let waits = 0;
  let i = 0;
  let playing = false;
  for (let tick = phaseMs; tick < 20_000; tick += 20) {
    for (; i < arrivals.length && arrivals[i]!.at <= tick; i++) {
      if (jb.push(pkt(arrivals[i]!.s, arrivals[i]!.s === 0), arrivals[i]!.at) === 'late' && tick > warmMs) run.late++;
    }
    const r = jb.pop();
    if (r.kind === 'frame') playing = true;
    if (tick <= warmMs) continue;
    if (r.kind === 'frame') {
      run.meanWaitMs += tick - r.arrivalMs;
      waits++;
    } else if (r.kind === 'lost') run.lost++;
    else if (playing && i < arrivals.length) run.underruns++;
  }
  run.meanWaitMs /= Math.max(1, waits);
  run.targetMs = jb.targetMs;
  return run;
}

test('steady streams with up to 40 ms of jitter, at any tick phase: no underrun, loss or late packet once settled', () => {
  for (const x of [0, 3, 8, 15, 25, 40]) {
    for (const phase of [0.5, 7, 13, 19.5]) {
      const r = simulate(20, x, phase, 1 + x * 31 + phase * 7);
      assert.deepEqual([r.underruns, r.lost, r.late], [0, 0, 0], `jitter up to ${x} ms, phase ${phase}: ${JSON.stringify(r)}`);
      // What the caller's audio waits: the target plus the tick phase, and the transit spread.
      assert.ok(r.meanWaitMs <= r.targetMs + 20 + x, `jitter ${x}, phase ${phase}: waits ${r.meanWaitMs} ms for target ${r.targetMs}`);
    }
  }
});

test('on a clean line one frame of minimum depth waits 20 ms less per packet than two', () => {
  for (const phase of [0.5, 10, 19.5]) {
    const one = simulate(20, 1, phase, 5);
    const two = simulate(40, 1, phase, 5);
    assert.equal(one.targetMs, 20);
    assert.equal(two.targetMs, 40);
    assert.ok(Math.abs(two.meanWaitMs - one.meanWaitMs - 20) < 1.5, `phase ${phase}: ${one.meanWaitMs} vs ${two.meanWaitMs} ms`);
    assert.ok(one.meanWaitMs >= 19 && one.meanWaitMs <= 41, `phase ${phase}: ${one.meanWaitMs} ms`);
  }
});

test('the simulation sees underruns when the depth cannot follow the jitter (a buffer capped at one frame)', () => {
  const r = simulate(20, 40, 7, 3, 20);
  assert.ok(r.underruns + r.lost + r.late > 20, JSON.stringify(r));
});

test('a frame of excess depth (a burst at call start) is shed within about a second, then the depth holds', () => {
  const jb = new JitterBuffer<JitterPacket>({ minMs: 20, maxMs: 200, clockRate: 8000 });
  // Three packets at once (a sender catching up), then one in, one out on a clean line.
  for (let s = 0; s < 3; s++) jb.push(pkt(s), 0);
  let next = 3;
  const depth: number[] = [];
  for (let tick = 0; tick < 150; tick++) {
    const r = jb.pop();
    assert.notEqual(r.kind, 'lost');
    depth.push(jb.depthMs + 20); // what the next pop sees once the next packet is in
    jb.push(pkt(next), 40 + next * 20);
    next++;
  }
  assert.equal(depth[0], 40, 'starts a frame above the 20 ms target');
  assert.equal(jb.stats.overflow, 1, 'one frame dropped');
  assert.ok(depth.slice(60).every((d) => d === 20), 'back at the target after ~1 s, and it stays there');
});
