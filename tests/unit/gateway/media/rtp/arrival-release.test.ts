import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArrivalRelease, type Release } from '../../../../../gateway/media/rtp/arrival-release.ts';
import { JitterBuffer, type JitterPacket } from '../../../../../gateway/media/rtp/jitter-buffer.ts';

/** The in-order release rule (arrival-release.ts) on a hand-driven clock: no sockets, no timers. */

interface P extends JitterPacket {
  readonly id: number;
}

const pkt = (i: number, marker = false, timestamp = i * 160): P => ({ id: i, sequence: (1000 + i) & 0xffff, timestamp, ssrc: 9, marker });

function rig(min = 20, max = 200) {
  const jb = new JitterBuffer<P>({ minMs: min, maxMs: max, clockRate: 8000, inOrderRelease: true });
  const rel = new ArrivalRelease(jb, { maxAheadMs: max });
  const out: string[] = [];
  const name = (r: Release<P>) => (r.kind === 'frame' ? `f${r.packet.id}` : r.kind === 'lost' ? `L${(r.sequence - 1000) & 0xffff}` : 's');
  const push = (p: P, now: number) => {
    assert.equal(jb.push(p, now), 'queued');
    const got = [...rel.onArrival(now)].map(name);
    out.push(...got);
    return got;
  };
  const tick = (now: number) => {
    const got = [...rel.onTick(now)].map(name);
    out.push(...got);
    return got;
  };
  return { jb, rel, out, push, tick };
}

test('in order: every packet leaves on arrival, the first one included, without waiting for a tick', () => {
  const r = rig();
  for (let i = 0; i < 10; i++) {
    assert.deepEqual(r.push(pkt(i, i === 0), i * 20 + 3), [`f${i}`]);
    assert.deepEqual(r.tick(i * 20 + 10), []);
  }
  assert.equal(r.jb.held, 0);
  assert.equal(r.jb.stats.lost, 0);
});

test('a packet reordered within the wait is put back in order; nothing is declared lost', () => {
  const r = rig(40);
  r.push(pkt(0), 0);
  r.tick(10);
  assert.deepEqual(r.push(pkt(2), 20), [], 'held behind the gap');
  r.tick(30);
  assert.deepEqual(r.push(pkt(1), 35), ['f1', 'f2']);
  r.push(pkt(3), 60);
  assert.deepEqual(r.out, ['f0', 'f1', 'f2', 'f3']);
  assert.equal(r.jb.stats.lost, 0);
});

test('a gap that outlasts the target is declared lost on the tick, then the held packets follow at once; the straggler is late', () => {
  const r = rig(20);
  r.push(pkt(0), 0);
  r.push(pkt(2), 40);
  assert.deepEqual(r.tick(50), [], '10 ms into the gap: still waiting');
  assert.deepEqual(r.tick(70), ['L1', 'f2'], 'the 20 ms target passed');
  assert.equal(r.jb.stats.lost, 1);
  assert.equal(r.jb.push(pkt(1), 75), 'late');
  assert.deepEqual(r.push(pkt(3), 80), ['f3']);
});

test('a double loss: both slots released lost at the one timeout, in order', () => {
  const r = rig(20);
  r.push(pkt(0), 0);
  r.push(pkt(3), 60);
  assert.deepEqual(r.tick(80), ['L1', 'L2', 'f3']);
});

test("FEC: right after a lost release, peekNext() is the packet after the gap (it carries the lost frame's LBRR)", () => {
  const jb = new JitterBuffer<P>({ minMs: 20, maxMs: 200, clockRate: 8000, inOrderRelease: true });
  const rel = new ArrivalRelease(jb, { maxAheadMs: 200 });
  jb.push(pkt(0), 0);
  [...rel.onArrival(0)];
  jb.push(pkt(2), 40);
  [...rel.onArrival(40)];
  const seen: (number | undefined)[] = [];
  for (const r of rel.onTick(60)) seen.push(r.kind === 'lost' ? (jb.peekNext()?.id ?? -1) : undefined);
  assert.deepEqual(seen, [2, undefined]);
});

test('a pause in the stream (DTX): silence once the target is owed, one per tick, and the next packet leaves at once', () => {
  const r = rig(20);
  let t = 0;
  for (let i = 0; i < 5; i++, t += 20) {
    r.push(pkt(i), t + 2);
    r.tick(t + 10);
  }
  const before = r.out.length;
  for (let k = 0; k < 20; k++, t += 20) r.tick(t + 10);
  const pause = r.out.slice(before);
  assert.ok(pause.every((x) => x === 's'));
  // 20 ticks owed; the 20 ms target (one frame) stays owed, so 18 or 19 silences depending on phase.
  assert.ok(pause.length >= 18 && pause.length <= 19, `${pause.length} silent frames`);
  assert.deepEqual(r.push(pkt(5, true), t + 2), ['f5'], 'the sequence continues across the pause (RFC 3550 §5.1)');
  assert.ok(r.rel.owed <= 1);
});

test('a sender that skips 100 sequence numbers is followed, not answered with 100 concealed frames', () => {
  const r = rig(20, 200);
  r.push(pkt(0), 0);
  r.push(pkt(101, false, 160), 20); // 20 ms later in time, past the 200 ms max depth in sequence: the buffer skips ahead to its target (counted lost)
  const got = r.tick(45);
  assert.ok(got.length <= 3 && got.at(-1) === 'f101', got.join(','));
  assert.ok(r.jb.stats.lost >= 99);
});

test('nothing comes out before the stream begins', () => {
  const r = rig();
  for (let k = 0; k < 10; k++) assert.deepEqual(r.tick(k * 20), []);
});

/** mulberry32: a small seeded PRNG, so a failing run can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

for (const seed of [1, 7, 42, 2024]) {
  test(`randomized 2-minute stream (seed ${seed}): jitter, reorder, loss and pauses — every sequence once, in order, the timeline on the clock`, () => {
    const rand = rng(seed);
    const max = 200;
    const r = rig(20, max);
    // Sender: 6000 packets of 20 ms, with 3 s DTX pauses now and then (no packets, sequence continues).
    type Ev = { at: number; kind: 'packet'; p: P } | { at: number; kind: 'tick' };
    const events: Ev[] = [];
    let sendAt = 0;
    const N = 6000;
    const dropped = new Set<number>();
    for (let i = 0; i < N; i++) {
      if (i > 0 && rand() < 0.002) sendAt += 1000 + Math.floor(rand() * 2000);
      sendAt += 20;
      if (rand() < 0.03) {
        dropped.add(i);
        continue;
      }
      // Transit: mostly 0–15 ms, sometimes a 60 ms spike (reorders behind it).
      const transit = rand() < 0.05 ? 30 + rand() * 40 : rand() * 15;
      // The timestamp is the sampling instant, so it jumps across a pause (RFC 3551 §4.1).
      events.push({ at: sendAt + transit, kind: 'packet', p: pkt(i, false, sendAt * 8) });
    }
    const end = sendAt + 1000;
    for (let t = 7; t < end; t += 20) events.push({ at: t, kind: 'tick' });
    events.sort((a, b) => a.at - b.at || (a.kind === 'tick' ? 1 : -1));

    let firstRelease: number | undefined;
    let ticksSinceStart = 0;
    let released = 0;
    let worstLag = 0;
    let worstLead = 0;
    const order: number[] = [];
    const waits: number[] = [];
    const arrivedAt = new Map<number, number>();
    for (const ev of events) {
      const got: Release<P>[] = [];
      if (ev.kind === 'packet') {
        arrivedAt.set(ev.p.id, ev.at);
        const res = r.jb.push(ev.p, ev.at);
        if (res !== 'queued') continue;
        got.push(...r.rel.onArrival(ev.at));
      } else {
        if (firstRelease !== undefined) ticksSinceStart++;
        got.push(...r.rel.onTick(ev.at));
      }
      for (const x of got) {
        firstRelease ??= ev.at;
        released++;
        if (x.kind === 'frame') {
          order.push(x.packet.id);
          waits.push(ev.at - arrivedAt.get(x.packet.id)!);
        } else if (x.kind === 'lost') order.push((x.sequence - 1000) & 0xffff);
      }
      worstLag = Math.max(worstLag, ticksSinceStart - released);
      worstLead = Math.max(worstLead, released - ticksSinceStart);
    }
    // Every sequence number exactly once, in order (frames and losses together): no gap, no duplicate.
    // (The stream starts at the first packet that arrived: one lost before it is never known.)
    const first = order[0]!;
    assert.equal(order.length, N - first);
    for (let i = 0; i < order.length; i++) if (order[i] !== first + i) assert.fail(`position ${i} holds ${order[i]}`);
    // A packet counted lost is one that never came or came after its wait; never a delivered one.
    assert.ok(r.jb.stats.lost >= dropped.size && r.jb.stats.lost < dropped.size + N * 0.05, `lost ${r.jb.stats.lost}, dropped ${dropped.size}`);
    // In-order packets leave at once: most waits are zero, and none exceeds the largest target plus a tick.
    waits.sort((a, b) => a - b);
    assert.equal(waits[Math.floor(waits.length * 0.5)], 0);
    assert.ok(waits.at(-1)! <= max + 20, `longest wait ${waits.at(-1)} ms`);
    // One frame per 20 ms tick on average: the consumer's timeline never drifts from the clock by more than the max depth.
    assert.ok(worstLag <= max / 20 + 2, `lagged the clock by ${worstLag} frames`);
    assert.ok(worstLead <= max / 20 + 2, `led the clock by ${worstLead} frames`);
    assert.ok(Math.abs(released - ticksSinceStart) <= max / 20 + 2, `${released} frames for ${ticksSinceStart} ticks`);
  });
}
