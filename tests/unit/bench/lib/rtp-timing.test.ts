import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readUdpPcap, writeUdpPcap, type UdpToWrite } from '../../../../bench/lib/pcap.ts';
import { rtpTiming } from '../../../../bench/lib/rtp-timing.ts';

function rtp(seq: number, ssrc: number, pt = 8): Uint8Array {
  const p = new Uint8Array(12 + 160);
  const dv = new DataView(p.buffer);
  p[0] = 0x80;
  p[1] = pt;
  dv.setUint16(2, seq & 0xffff);
  dv.setUint32(4, seq * 160);
  dv.setUint32(8, ssrc);
  return p;
}

test('pcap written then read gives back the UDP packets, ports and µs timestamps', () => {
  const pkts: UdpToWrite[] = [
    { tsUs: 1_700_000_000_123_456, srcPort: 20000, dstPort: 40000, payload: rtp(1, 7) },
    { tsUs: 1_700_000_000_143_500, srcPort: 20002, dstPort: 40000, payload: rtp(2, 7) },
  ];
  const back = readUdpPcap(writeUdpPcap(pkts));
  assert.equal(back.length, 2);
  assert.equal(back[0]?.tsUs, 1_700_000_000_123_456);
  assert.equal(back[1]?.srcPort, 20002);
  assert.equal(back[1]?.dstPort, 40000);
  assert.deepEqual([...(back[1]?.payload ?? [])], [...rtp(2, 7)]);
  assert.throws(() => readUdpPcap(new Uint8Array(24)), /bad magic/);
});

test('interval errors, losses and duplicates per stream', () => {
  const recs = [];
  // Stream A: perfect 20 ms, except one packet 6 ms late (two intervals off by 6 ms).
  for (let i = 0; i < 101; i++) recs.push({ tsUs: i * 20_000 + (i === 50 ? 6000 : 0), srcPort: 20000, dstPort: 1, payload: rtp(i, 1) });
  // Stream B: packet 10 missing (a lost frame), one duplicate, and RTCP on the odd port (ignored).
  for (let i = 0; i < 101; i++) if (i !== 10) recs.push({ tsUs: i * 20_000 + 3, srcPort: 20002, dstPort: 1, payload: rtp(i, 2) });
  recs.push({ tsUs: 99 * 20_000 + 100, srcPort: 20002, dstPort: 1, payload: rtp(99, 2) });
  recs.push({ tsUs: 5, srcPort: 20003, dstPort: 1, payload: rtp(0, 2, 72) });
  recs.sort((a, b) => a.tsUs - b.tsUs);
  const t = rtpTiming(recs);
  assert.equal(t.streams, 2);
  assert.equal(t.lost, 1);
  assert.equal(t.duplicates, 1);
  assert.equal(t.intervals, 100 + 99);
  assert.ok(t.errP50Ms < 0.01, `p50 ${t.errP50Ms}`);
  assert.ok(Math.abs(t.errMaxMs - 6) < 1e-9);
  // 2 of 199 intervals are 6 ms off: p99 lies between 0 and 6, share over 5 ms is 2/199.
  assert.ok(Math.abs(t.over5msShare - 2 / 199) < 1e-12);
  // The gap across the lost packet spans two ptimes, so it is not an error.
  const onlyB = rtpTiming(recs, { fromPort: (p) => p === 20002 });
  assert.ok(onlyB.errMaxMs < 0.2);
  const window = rtpTiming(recs, { fromUs: 1_000_000 });
  assert.ok(window.packets < t.packets);
});

test('sequence numbers wrap without counting a loss', () => {
  const recs = [65534, 65535, 0, 1].map((s, i) => ({ tsUs: i * 20_000, srcPort: 30000, dstPort: 1, payload: rtp(s, 9) }));
  const t = rtpTiming(recs);
  assert.equal(t.lost, 0);
  assert.equal(t.intervals, 3);
});
