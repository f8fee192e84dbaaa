import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRtcp, parseRtp, seqDelta, tsDelta, writeRtp } from '../../../../../gateway/media/rtp/packet.ts';

function header(over: Partial<{ marker: boolean; payloadType: number; sequence: number; timestamp: number; ssrc: number }> = {}) {
  return { marker: false, payloadType: 0, sequence: 1234, timestamp: 0xdeadbeef, ssrc: 0xcafebabe, ...over };
}

test('write then parse round-trips every header field and the payload', () => {
  const out = Buffer.alloc(200);
  const payload = Uint8Array.from({ length: 160 }, (_, i) => i & 0xff);
  const len = writeRtp(header({ marker: true, payloadType: 101, sequence: 65535, timestamp: 0xffffffff, ssrc: 1 }), payload, out);
  assert.equal(len, 172);
  const r = parseRtp(out.subarray(0, len));
  assert.ok(r.ok);
  assert.equal(r.packet.marker, true);
  assert.equal(r.packet.payloadType, 101);
  assert.equal(r.packet.sequence, 65535);
  assert.equal(r.packet.timestamp, 0xffffffff);
  assert.equal(r.packet.ssrc, 1);
  assert.deepEqual(r.packet.csrcs, []);
  assert.deepEqual([...r.packet.payload], [...payload]);
  assert.equal(out[0], 0x80);
  assert.equal(out[1], 0x80 | 101);
});

test('writeRtp refuses a buffer too small (a programming error, not network input)', () => {
  assert.throws(() => writeRtp(header(), new Uint8Array(10), new Uint8Array(20)), RangeError);
});

test('CSRC list, header extension and padding are skipped to find the payload', () => {
  // V=2 P=1 X=1 CC=2 | M=0 PT=8 | seq 7 | ts 160 | ssrc 9 | 2 CSRC | ext (profile 0xBEDE, 1 word) | payload 3 | pad 4
  const b = Buffer.from([
    0xb2, 0x08, 0x00, 0x07, 0, 0, 0, 160, 0, 0, 0, 9,
    0, 0, 0, 1, 0, 0, 0, 2,
    0xbe, 0xde, 0x00, 0x01, 0x11, 0x22, 0x33, 0x44,
    0xaa, 0xbb, 0xcc,
    0, 0, 0, 4,
  ]);
  const r = parseRtp(b);
  assert.ok(r.ok);
  assert.deepEqual(r.packet.csrcs, [1, 2]);
  assert.equal(r.packet.payloadType, 8);
  assert.equal(r.packet.sequence, 7);
  assert.deepEqual([...r.packet.payload], [0xaa, 0xbb, 0xcc]);
});

test('malformed packets are results, not exceptions', () => {
  assert.deepEqual(parseRtp(new Uint8Array(11)), { ok: false, reason: 'too-short' });
  const v1 = Buffer.alloc(12);
  v1[0] = 0x40;
  assert.deepEqual(parseRtp(v1), { ok: false, reason: 'bad-version' });
  // CC=15 claims 60 octets of CSRC that are not there.
  const cc = Buffer.alloc(20);
  cc[0] = 0x8f;
  assert.deepEqual(parseRtp(cc), { ok: false, reason: 'malformed' });
  // Extension length runs past the end.
  const ext = Buffer.alloc(20);
  ext[0] = 0x90;
  ext[14] = 0;
  ext[15] = 9;
  assert.deepEqual(parseRtp(ext), { ok: false, reason: 'malformed' });
  // Extension header itself truncated.
  const ext2 = Buffer.alloc(14);
  ext2[0] = 0x90;
  assert.deepEqual(parseRtp(ext2), { ok: false, reason: 'malformed' });
  // Padding count of 0, and padding longer than the packet.
  const pad0 = Buffer.alloc(16);
  pad0[0] = 0xa0;
  assert.deepEqual(parseRtp(pad0), { ok: false, reason: 'malformed' });
  const padBig = Buffer.alloc(16);
  padBig[0] = 0xa0;
  padBig[15] = 200;
  assert.deepEqual(parseRtp(padBig), { ok: false, reason: 'malformed' });
});

test('RTCP on the RTP port is recognised by RFC 5761 §4 packet types 192–223', () => {
  const rr = Buffer.from([0x80, 201, 0, 1, 0, 0, 0, 5]);
  assert.equal(isRtcp(rr), true);
  assert.deepEqual(parseRtp(Buffer.concat([rr, Buffer.alloc(4)])), { ok: false, reason: 'rtcp' });
  const sr = Buffer.from([0x80, 200]);
  assert.equal(isRtcp(sr), true);
  // PCMU with the marker set reads 0x80 and dynamic PT 127 with marker reads 0xff: both RTP.
  assert.equal(isRtcp(Buffer.from([0x80, 0x80])), false);
  assert.equal(isRtcp(Buffer.from([0x80, 0xff])), false);
  assert.equal(isRtcp(Buffer.from([0x80, 191])), false);
  assert.equal(isRtcp(Buffer.from([0x80, 224])), false);
});

test('sequence and timestamp distances wrap', () => {
  assert.equal(seqDelta(65535, 0), 1);
  assert.equal(seqDelta(0, 65535), -1);
  assert.equal(seqDelta(100, 90), -10);
  assert.equal(tsDelta(0xffffff60, 0), 160);
  assert.equal(tsDelta(160, 0), -160);
});
