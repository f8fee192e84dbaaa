import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codecInfo, createEncoder } from '../../../../../codecs/index.ts';
import type { AudioFrame } from '../../../../../codecs/types.ts';
import { RtpInbound, type RxRelease } from '../../../../../gateway/media/rtp/inbound.ts';
import type { RtpPacket } from '../../../../../gateway/media/rtp/packet.ts';

/** The leg's receive half without sockets: when frames reach the sink in each release mode, and what they carry. */

const PCMU = codecInfo('PCMU');

function rig(release: RxRelease) {
  const inb = new RtpInbound({ codec: PCMU, jitter: { min: 40, max: 200 }, release });
  const frames: AudioFrame[] = [];
  inb.connect({ write: (f) => frames.push({ ...f, samples: f.samples.slice() }), describe: () => 'Collect' });
  const enc = createEncoder(PCMU);
  const payload = new Uint8Array(160);
  enc.encodeInto(new Int16Array(160).fill(4000), payload);
  const pkt = (i: number, payloadType = 0): RtpPacket => ({ marker: i === 0, payloadType, sequence: 7000 + i, timestamp: i * 160, ssrc: 5, csrcs: [], payload });
  return { inb, frames, pkt };
}

test('arrival: a packet in order reaches the sink inside push, dated with its arrival; the tick adds nothing', () => {
  const { inb, frames, pkt } = rig('arrival');
  inb.push(pkt(0), 1000);
  assert.equal(frames.length, 1);
  assert.equal(frames[0]!.arrivalMs, 1000);
  assert.ok(frames[0]!.samples.every((v) => Math.abs(v - 4000) < 200));
  inb.tick(1005);
  inb.push(pkt(1), 1020);
  assert.equal(frames.length, 2);
  assert.deepEqual(frames.map((f) => f.timestamp), [0, 160]);
});

test('paced: the same packets wait for the 40 ms target and leave one per tick', () => {
  const { inb, frames, pkt } = rig('paced');
  inb.push(pkt(0), 1000);
  inb.tick(1005);
  inb.push(pkt(1), 1020);
  inb.tick(1025);
  assert.equal(frames.length, 0, 'prebuffering');
  inb.push(pkt(2), 1040);
  inb.tick(1045);
  assert.equal(frames.length, 1);
  inb.tick(1065);
  assert.equal(frames.length, 2);
});

test('arrival: a lost packet is concealed once its gap times out, dated a frame after its predecessor; telephone-event slots play as silence', () => {
  const { inb, frames, pkt } = rig('arrival');
  inb.push(pkt(0), 1000);
  inb.push(pkt(2), 1040);
  inb.push(pkt(3, 101), 1060);
  assert.equal(frames.length, 1, 'packet 2 waits behind the gap');
  inb.tick(1085); // the 40 ms target after packet 2 arrived
  assert.equal(frames.length, 4);
  assert.deepEqual(frames.map((f) => f.timestamp), [0, 160, 320, 480]);
  assert.equal(frames[1]!.arrivalMs, 1020);
  assert.equal(frames[2]!.arrivalMs, 1040);
  assert.ok(frames[3]!.samples.every((v) => v === 0));
  assert.equal(inb.jb.stats.lost, 1);
});
