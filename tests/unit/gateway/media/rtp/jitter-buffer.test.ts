import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JitterBuffer, type JitterPacket } from '../../../../../gateway/media/rtp/jitter-buffer.ts';
import { InterarrivalJitter } from '../../../../../gateway/media/rtp/jitter.ts';

interface P extends JitterPacket {
  readonly tag: string;
}
const pkt = (sequence: number, opts: { ssrc?: number; marker?: boolean; ts?: number } = {}): P => ({
  sequence: sequence & 0xffff,
  timestamp: (opts.ts ?? sequence * 160) >>> 0,
  ssrc: opts.ssrc ?? 1,
  marker: opts.marker ?? false,
  tag: `${opts.ssrc ?? 1}:${sequence & 0xffff}`,
});
const make = (minMs = 40, maxMs = 200) => new JitterBuffer<P>({ minMs, maxMs, clockRate: 8000 });

/** Pops n results as short strings: the tag of a frame, `lost:<seq>` or `empty`. */
function popN(jb: JitterBuffer<P>, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = jb.pop();
    out.push(r.kind === 'frame' ? r.packet.tag : r.kind === 'lost' ? `lost:${r.sequence}` : 'empty');
  }
  return out;
}

test('prebuffers to the minimum depth, then plays in sequence order', () => {
  const jb = make();
  jb.push(pkt(10), 0);
  assert.deepEqual(popN(jb, 1), ['empty']);
  jb.push(pkt(11), 20);
  assert.equal(jb.targetMs, 40);
  // 20 ms held behind the first frame is less than the 40 ms target.
  assert.deepEqual(popN(jb, 1), ['empty']);
  jb.push(pkt(12), 40);
  assert.equal(jb.depthMs, 40);
  assert.deepEqual(popN(jb, 3), ['1:10', '1:11', '1:12']);
  // Nothing left: an underrun, not a loss.
  assert.deepEqual(popN(jb, 1), ['empty']);
  assert.equal(jb.stats.lost, 0);
});

test('reorders packets, including ahead of the first one received', () => {
  const jb = make();
  for (const [i, s] of [101, 100, 103, 102, 104].entries()) jb.push(pkt(s), i * 20);
  assert.deepEqual(popN(jb, 5), ['1:100', '1:101', '1:102', '1:103', '1:104']);
  assert.equal(jb.stats.lost, 0);
});

test('drops duplicates and counts them', () => {
  const jb = make();
  assert.equal(jb.push(pkt(1), 0), 'queued');
  assert.equal(jb.push(pkt(2), 20), 'queued');
  assert.equal(jb.push(pkt(2), 21), 'duplicate');
  jb.push(pkt(3), 40);
  assert.deepEqual(popN(jb, 4), ['1:1', '1:2', '1:3', 'empty']);
  assert.equal(jb.stats.duplicates, 1);
  assert.equal(jb.stats.received, 3);
});

test('a gap becomes one lost result per missing packet; a packet after its slot passed is late', () => {
  const jb = make();
  for (const s of [0, 1, 3, 4]) jb.push(pkt(s), s * 20);
  assert.deepEqual(popN(jb, 3), ['1:0', '1:1', 'lost:2']);
  assert.equal(jb.push(pkt(2), 100), 'late');
  assert.equal(jb.push(pkt(1), 100), 'late');
  assert.deepEqual(popN(jb, 2), ['1:3', '1:4']);
  assert.deepEqual({ lost: jb.stats.lost, late: jb.stats.late }, { lost: 1, late: 2 });
});

test('sequence numbers wrap at 65535 without loss or reordering errors', () => {
  const jb = make();
  const order = [65533, 65535, 65534, 1, 0, 2];
  for (const [i, s] of order.entries()) jb.push(pkt(s, { ts: ((s + 3) & 0xffff) * 160 }), i * 20);
  assert.deepEqual(popN(jb, 6), ['1:65533', '1:65534', '1:65535', '1:0', '1:1', '1:2']);
  assert.equal(jb.stats.lost, 0);
  assert.equal(jb.push(pkt(65535), 200), 'late');
});

test('a new SSRC resynchronises onto the new stream', () => {
  const jb = make();
  for (const s of [0, 1, 2]) jb.push(pkt(s), s * 20);
  assert.deepEqual(popN(jb, 1), ['1:0']);
  assert.equal(jb.push(pkt(5000, { ssrc: 2 }), 60), 'resync');
  jb.push(pkt(5001, { ssrc: 2 }), 80);
  jb.push(pkt(5002, { ssrc: 2 }), 100);
  assert.deepEqual(popN(jb, 3), ['2:5000', '2:5001', '2:5002']);
  assert.equal(jb.stats.resyncs, 1);
  assert.equal(jb.stats.lost, 0);
});

test('a big sequence jump needs a second packet in sequence to resync (RFC 3550 A.1)', () => {
  const jb = make();
  for (const s of [0, 1]) jb.push(pkt(s), s * 20);
  assert.equal(jb.push(pkt(30000), 40), 'jump');
  assert.equal(jb.push(pkt(2), 41), 'queued');
  assert.equal(jb.push(pkt(20000), 60), 'jump');
  assert.equal(jb.push(pkt(20001), 80), 'resync');
  jb.push(pkt(20002), 100);
  jb.push(pkt(20003), 120);
  assert.deepEqual(popN(jb, 2), ['1:20001', '1:20002']);
});

test('a burst beyond the maximum depth is trimmed to the target (oldest dropped and counted)', () => {
  const jb = make(40, 100);
  for (let s = 0; s < 12; s++) jb.push(pkt(s), 0);
  const held = jb.depthMs;
  assert.ok(held <= 100, `depth ${held}`);
  // What was dropped is the oldest: the buffer still holds the newest packets, contiguous.
  assert.equal(jb.stats.overflow, 11 - held / 20);
  const r = jb.pop();
  assert.ok(r.kind === 'frame');
  assert.equal(r.packet.sequence, 11 - held / 20);
});

test('a forward gap longer than the maximum skips ahead instead of concealing for seconds', () => {
  const jb = make(40, 100);
  for (const s of [0, 1]) jb.push(pkt(s), s * 20);
  popN(jb, 2);
  jb.push(pkt(60), 1200);
  jb.push(pkt(61), 1220);
  const got = popN(jb, 6);
  assert.ok(got.filter((g) => g.startsWith('lost')).length <= 2, got.join());
  assert.ok(got.includes('1:60') && got.includes('1:61'));
  assert.ok(jb.stats.lost >= 58);
});

test('target depth adapts to measured jitter within min..max', () => {
  const steady = make(40, 200);
  for (let s = 0; s < 200; s++) steady.push(pkt(s), s * 20);
  assert.ok(steady.jitterMs < 0.5);
  assert.equal(steady.targetMs, 40);

  const jittery = make(40, 200);
  // Packets sent every 20 ms arrive alternately on time and 30 ms late.
  for (let s = 0; s < 200; s++) jittery.push(pkt(s), s * 20 + (s % 2) * 30);
  assert.ok(jittery.jitterMs > 20 && jittery.jitterMs < 40, `jitter ${jittery.jitterMs}`);
  assert.ok(jittery.targetMs > 100 && jittery.targetMs <= 200, `target ${jittery.targetMs}`);

  const wild = make(40, 200);
  for (let s = 0; s < 200; s++) wild.push(pkt(s), s * 20 + (s % 2) * 400);
  assert.equal(wild.targetMs, 200);
});

test('after an underrun playout waits until the target depth is rebuilt', () => {
  const jb = make(60, 200);
  for (const s of [0, 1, 2, 3]) jb.push(pkt(s), s * 20);
  assert.deepEqual(popN(jb, 5), ['1:0', '1:1', '1:2', '1:3', 'empty']);
  for (const s of [4, 5, 6]) jb.push(pkt(s), s * 20);
  assert.deepEqual(popN(jb, 1), ['empty']);
  jb.push(pkt(7), 140);
  assert.deepEqual(popN(jb, 4), ['1:4', '1:5', '1:6', '1:7']);
  assert.equal(jb.stats.lost, 0);
});

test('a talkspurt start (marker) below target depth is delayed, not played thin', () => {
  const jb = make(60, 200);
  for (const s of [0, 1, 2, 3]) jb.push(pkt(s), s * 20);
  assert.deepEqual(popN(jb, 2), ['1:0', '1:1']);
  // After a second of silence (timestamp and arrival both jump), a talkspurt starts.
  jb.push(pkt(4, { marker: true, ts: 640 + 8000 }), 1080);
  // When 4 comes up nothing is held behind it: waiting now costs silence, not speech.
  assert.deepEqual(popN(jb, 3), ['1:2', '1:3', 'empty']);
  for (const s of [5, 6, 7]) jb.push(pkt(s, { ts: s * 160 + 8000 }), 1000 + s * 20);
  assert.deepEqual(popN(jb, 4), ['1:4', '1:5', '1:6', '1:7']);
});

test('depth held well above target for a second shrinks by dropping a frame', () => {
  const jb = make(40, 200);
  for (let s = 0; s < 6; s++) jb.push(pkt(s), s * 20);
  // Steady: one in, one out, with 6 frames buffered against a 40 ms target.
  let next = 6;
  for (let i = 0; i < 60; i++) {
    jb.pop();
    jb.push(pkt(next), next * 20);
    next++;
  }
  assert.ok(jb.stats.overflow >= 1, `overflow ${jb.stats.overflow}`);
  assert.ok(jb.depthMs < 120);
});

test('interarrival jitter follows RFC 3550 §6.4.1 (J += (|D| − J)/16)', () => {
  const j = new InterarrivalJitter(8000);
  j.update(0, 0);
  j.update(160, 30); // D = 240 − 160 = 80 units
  assert.equal(j.units, 5); // 80/16
  assert.ok(Math.abs(j.ms - 0.625) < 1e-9);
  // Timestamp wrap does not disturb the estimate.
  const w = new InterarrivalJitter(8000);
  w.update(0xffffff60, 0);
  w.update(0, 20);
  assert.equal(w.units, 0);
});
