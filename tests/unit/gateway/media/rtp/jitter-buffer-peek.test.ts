import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JitterBuffer, type JitterPacket } from '../../../../../gateway/media/rtp/jitter-buffer.ts';

/** peekNext(): the packet after a gap, for in-band FEC (RFC 6716 §2.1.7), without disturbing playout. */

interface P extends JitterPacket {
  readonly tag: string;
}
const pkt = (sequence: number, ssrc = 1): P => ({ sequence: sequence & 0xffff, timestamp: (sequence * 960) >>> 0, ssrc, marker: false, tag: `${ssrc}:${sequence & 0xffff}` });
const make = () => new JitterBuffer<P>({ minMs: 40, maxMs: 400, clockRate: 48000 });

test('after a lost pop, peekNext is the packet right after the gap, and the next pop still plays it', () => {
  const jb = make();
  for (const s of [10, 11, 13, 14]) jb.push(pkt(s), 0);
  assert.equal(jb.peekNext()?.tag, '1:10', 'before playout: the first packet to play');
  assert.equal(jb.pop().kind, 'frame');
  assert.equal(jb.peekNext()?.tag, '1:11');
  assert.equal(jb.pop().kind, 'frame');
  assert.equal(jb.peekNext(), undefined, '12 never came');
  assert.deepEqual(jb.pop(), { kind: 'lost', sequence: 12 });
  assert.equal(jb.peekNext()?.tag, '1:13');
  assert.equal(jb.peekNext()?.tag, '1:13', 'peeking twice does not consume');
  const r = jb.pop();
  assert.equal(r.kind === 'frame' && r.packet.tag, '1:13');
  assert.equal(jb.stats.lost, 1);
  assert.equal(jb.stats.received, 4);
});

test('two losses in a row: only the second has its next packet; a late arrival fills the peek', () => {
  const jb = make();
  for (const s of [1, 2, 5]) jb.push(pkt(s), 0);
  jb.pop();
  jb.pop();
  assert.deepEqual(jb.pop(), { kind: 'lost', sequence: 3 });
  assert.equal(jb.peekNext(), undefined, 'after losing 3, packet 4 is missing too: conceal');
  jb.push(pkt(4), 60);
  assert.equal(jb.peekNext()?.tag, '1:4', 'packet 4 arrived in time to be played and peeked');
  assert.equal(jb.pop().kind, 'frame');
  assert.equal(jb.peekNext()?.tag, '1:5');
});

test('peekNext is undefined when the buffer is empty or after a new SSRC restarted it elsewhere', () => {
  const jb = make();
  assert.equal(jb.peekNext(), undefined);
  jb.push(pkt(100), 0);
  jb.push(pkt(101), 0);
  jb.push(pkt(102), 0);
  jb.pop();
  jb.push(pkt(500, 2), 20);
  assert.equal(jb.peekNext()?.tag, '2:500', 'the new source starts at its own first packet');
  jb.pop(); // prebuffering again: empty
  assert.equal(jb.peekNext()?.tag, '2:500');
});
