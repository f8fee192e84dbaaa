import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRtcp, writeReceiverReport } from '../../../../../gateway/media/rtp/rtcp.ts';
import { ReceptionStats } from '../../../../../gateway/media/rtp/reception.ts';

/** A sender report with one report block, built by hand from RFC 3550 §6.4.1. */
function senderReport(): Buffer {
  const b = Buffer.alloc(52);
  b[0] = 0x81;
  b[1] = 200;
  b.writeUInt16BE(52 / 4 - 1, 2);
  b.writeUInt32BE(0x11111111, 4); // SSRC of sender
  b.writeUInt32BE(0xaabbccdd, 8); // NTP msw
  b.writeUInt32BE(0x12345678, 12); // NTP lsw
  b.writeUInt32BE(160000, 16); // RTP ts
  b.writeUInt32BE(1000, 20); // packets
  b.writeUInt32BE(160000, 24); // octets
  b.writeUInt32BE(0x22222222, 28); // SSRC_1
  b.writeUInt32BE((64 << 24) | 0xfffffe, 32); // fraction 64/256, cumulative −2
  b.writeUInt32BE(0x00010005, 36); // one wrap, seq 5
  b.writeUInt32BE(37, 40); // jitter
  b.writeUInt32BE(0xbbccdd12, 44); // LSR
  b.writeUInt32BE(65536, 48); // DLSR 1 s
  return b;
}

test('parses a compound SR + SDES: sender info and report block fields', () => {
  const sdes = Buffer.from([0x81, 202, 0, 2, 0x11, 0x11, 0x11, 0x11, 1, 2, 0x61, 0x62]);
  const r = parseRtcp(Buffer.concat([senderReport(), sdes]));
  assert.ok(r.ok);
  assert.equal(r.packets.length, 2);
  const sr = r.packets[0]!;
  assert.equal(sr.type, 'sr');
  assert.ok(sr.type === 'sr');
  assert.equal(sr.ssrc, 0x11111111);
  assert.equal(sr.packetCount, 1000);
  assert.deepEqual(sr.reports[0], { ssrc: 0x22222222, fractionLost: 64, cumulativeLost: -2, highestSeq: 0x10005, jitter: 37, lastSr: 0xbbccdd12, delaySinceLastSr: 65536 });
  assert.deepEqual(r.packets[1], { type: 'other', packetType: 202 });
});

test('malformed RTCP is a result, not an exception', () => {
  assert.deepEqual(parseRtcp(Buffer.alloc(4)), { ok: false, reason: 'too-short' });
  const v = senderReport();
  v[0] = 0x41;
  assert.deepEqual(parseRtcp(v), { ok: false, reason: 'bad-version' });
  // Length claims more words than the datagram holds.
  const long = senderReport();
  long.writeUInt16BE(40, 2);
  assert.deepEqual(parseRtcp(long), { ok: false, reason: 'malformed' });
  // RC claims two report blocks in a packet sized for one.
  const rc = senderReport();
  rc[0] = 0x82;
  assert.deepEqual(parseRtcp(rc), { ok: false, reason: 'malformed' });
});

test('our receiver report parses back, with an SDES CNAME after it', () => {
  const out = new Uint8Array(256);
  const block = { ssrc: 7, fractionLost: 25, cumulativeLost: 3, highestSeq: 70000, jitter: 12, lastSr: 0x1234, delaySinceLastSr: 99 };
  const len = writeReceiverReport(0xabcdef01, 'trunkline-1', block, out);
  assert.equal(len % 4, 0);
  const r = parseRtcp(out.subarray(0, len));
  assert.ok(r.ok);
  assert.deepEqual(r.packets[0], { type: 'rr', ssrc: 0xabcdef01, reports: [block] });
  assert.deepEqual(r.packets[1], { type: 'other', packetType: 202 });
  assert.ok(Buffer.from(out.subarray(0, len)).includes('trunkline-1'));
});

test('reception stats: expected, lost, fraction per interval, extended seq across wrap, LSR/DLSR', () => {
  const s = new ReceptionStats();
  for (let seq = 65530; seq <= 65535; seq++) s.onPacket(9, seq);
  for (const seq of [0, 1, 3, 4]) s.onPacket(9, seq); // seq 2 lost
  s.onSenderReport(0xaabbccdd, 0x12345678, 1000);
  const b = s.reportBlock(40, 1500)!;
  assert.equal(b.ssrc, 9);
  assert.equal(b.highestSeq, 0x10004);
  assert.equal(b.cumulativeLost, 1);
  assert.equal(b.fractionLost, Math.floor(256 / 11));
  assert.equal(b.jitter, 40);
  assert.equal(b.lastSr, 0xccdd1234);
  assert.equal(b.delaySinceLastSr, 32768);
  // Next interval without loss: fraction 0, cumulative unchanged.
  for (const seq of [5, 6, 7]) s.onPacket(9, seq);
  const b2 = s.reportBlock(40, 6500)!;
  assert.equal(b2.fractionLost, 0);
  assert.equal(b2.cumulativeLost, 1);
});
