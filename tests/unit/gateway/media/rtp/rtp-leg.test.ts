import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { codecInfo, createDecoder, createEncoder } from '../../../../../codecs/index.ts';
import type { AudioFrame } from '../../../../../codecs/types.ts';
import { silentLogger } from '../../../../../gateway/log.ts';
import { metrics } from '../../../../../gateway/metrics.ts';
import type { AudioSink } from '../../../../../gateway/media/audio-sink.ts';
import type { DtmfEvent } from '../../../../../gateway/media/dtmf.ts';
import { Pacer } from '../../../../../gateway/media/pacer.ts';
import { parseTelephoneEvent, telephoneEventPackets } from '../../../../../gateway/media/rtp/dtmf-rfc4733.ts';
import { parseRtp, writeRtp, type RtpPacket } from '../../../../../gateway/media/rtp/packet.ts';
import { parseRtcp } from '../../../../../gateway/media/rtp/rtcp.ts';
import { PortPool } from '../../../../../gateway/media/rtp/port-pool.ts';
import { RtpLeg, type RtpLegOptions } from '../../../../../gateway/media/rtp/rtp-leg.ts';

const PCMU = codecInfo('PCMU');

function tone(hz: number, samples: number, amp = 8000, rate = 8000): Int16Array {
  return Int16Array.from({ length: samples }, (_, i) => Math.round(amp * Math.sin((2 * Math.PI * hz * i) / rate)));
}

/** Power of one frequency (Goertzel), normalised by length. */
function goertzel(x: Int16Array, hz: number, rate = 8000): number {
  const k = 2 * Math.cos((2 * Math.PI * hz) / rate);
  let s1 = 0;
  let s2 = 0;
  for (const v of x) {
    const s = v + k * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return (s1 * s1 + s2 * s2 - k * s1 * s2) / x.length;
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`condition not met in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function udp(): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  return s;
}

class CollectSink implements AudioSink {
  readonly frames: AudioFrame[] = [];
  write(f: AudioFrame): void {
    // The leg reuses its buffer: keep a copy.
    this.frames.push({ ...f, samples: f.samples.slice() });
  }
  describe(): string {
    return 'Collect';
  }
}

async function setup(over: Partial<RtpLegOptions> = {}) {
  const pacer = new Pacer();
  const base = 42000 + 2 * Math.floor(Math.random() * 5000);
  const pool = new PortPool({ portMin: base, portMax: base + 20, quarantineMs: 0 });
  const leg = await RtpLeg.open({ bindAddress: '127.0.0.1', pool, codec: PCMU, telephoneEventPt: 101, pacer, jitter: { min: 40, max: 200 }, mediaTimeoutSec: 30, log: silentLogger, rtcpIntervalMs: 0, ...over });
  const peer = await udp();
  const received: { packet: RtpPacket; at: number; port: number }[] = [];
  peer.on('message', (msg, rinfo) => {
    const r = parseRtp(msg);
    if (r.ok) received.push({ packet: { ...r.packet, payload: Uint8Array.from(r.packet.payload) }, at: performance.now(), port: rinfo.port });
  });
  leg.setRemote('127.0.0.1', peer.address().port);
  const cleanup = () => {
    leg.close('test end');
    peer.close();
    pacer.stop();
  };
  return { pacer, pool, leg, peer, received, cleanup };
}

function send(sock: Socket, port: number, header: { sequence: number; timestamp: number; payloadType?: number; marker?: boolean; ssrc?: number }, payload: Uint8Array): void {
  const out = Buffer.alloc(12 + payload.length);
  writeRtp({ marker: header.marker ?? false, payloadType: header.payloadType ?? 0, sequence: header.sequence, timestamp: header.timestamp, ssrc: header.ssrc ?? 0x1234 }, payload, out);
  sock.send(out, port, '127.0.0.1');
}

async function dropped(reason: string): Promise<number> {
  const m = await metrics.rtpPacketsDropped.get();
  return m.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}
const droppedStrangers = () => dropped('stranger');

test('inbound: reordered PCMU with a duplicate decodes to the 1 kHz tone; strangers dropped after latching', async () => {
  // A 100 ms floor: sender and pacer share this process's event loop, and on a loaded test machine
  // a timer stall must not turn a 20 ms reordering into a late packet.
  const { leg, peer, cleanup } = await setup({ jitter: { min: 100, max: 300 } });
  try {
    const sink = new CollectSink();
    leg.connectInput(sink);
    assert.equal(leg.describe(), 'RTP(PCMU/8000 pt0) → JitterBuffer(100–300ms, in order on arrival) → PCMU(decode@8000) → Collect | Playout(8000) → PCMU(encode@8000) → RTP(PCMU/8000 pt0)');
    const enc = createEncoder(PCMU);
    const pcm = tone(1000, 160 * 50);
    const payloads = Array.from({ length: 50 }, (_, i) => {
      const b = new Uint8Array(160);
      enc.encodeInto(pcm.subarray(i * 160, (i + 1) * 160), b);
      return b;
    });
    // In order, but with three adjacent swaps and packet 30 sent twice.
    const order = Array.from({ length: 50 }, (_, i) => i);
    for (const i of [10, 25, 40]) [order[i], order[i + 1]] = [order[i + 1]!, order[i]!];
    order.splice(31, 0, 30);
    // Paced on deadlines (start + n·20 ms), not sleep(20) after each send: timer lateness would
    // otherwise make the sender ~5% slow against the pacer and drain any jitter buffer.
    const t0 = performance.now();
    for (const [n, i] of order.entries()) {
      send(peer, leg.localPort, { sequence: (65520 + i) & 0xffff, timestamp: 1000 + i * 160, marker: i === 0 }, payloads[i]!);
      await sleep(Math.max(0, t0 + (n + 1) * 20 - performance.now()));
    }
    const voiced = () => sink.frames.filter((f) => f.samples.some((v) => v !== 0));
    await until(() => voiced().length >= 50 && sink.frames.length >= voiced().length + 2, 2000);

    const dec = createDecoder(PCMU);
    const want = payloads.map((p) => {
      const o = new Int16Array(160);
      dec.decodeInto(p, o);
      return o;
    });
    // The voiced frames are exactly the 50 packets in sequence order: reordering undone, duplicate
    // dropped, nothing concealed. (A slow timer on a loaded machine may add a silent underrun frame.)
    const v = voiced();
    assert.equal(v.length, 50);
    for (let i = 0; i < 50; i++) assert.deepEqual(v[i]!.samples, want[i], `frame ${i}`);
    for (let i = 1; i < sink.frames.length; i++) assert.equal(sink.frames[i]!.timestamp, sink.frames[i - 1]!.timestamp + 160);
    const all = new Int16Array(160 * 50);
    v.forEach((f, i) => all.set(f.samples, i * 160));
    assert.ok(goertzel(all, 1000) > 100 * goertzel(all, 1500), 'the 1 kHz tone dominates');
    // After the stream stops the timeline continues with silence.
    assert.ok(sink.frames.slice(sink.frames.indexOf(v[49]!) + 1).every((f) => f.samples.every((x) => x === 0)));
    const st = leg.stats();
    assert.equal(st.packetsIn, 50);
    assert.equal(st.packetsLost, 0);
    assert.equal(st.packetsDropped, 1); // the duplicate

    // Latched to the peer's port: the same address from another port is a stranger.
    const before = await droppedStrangers();
    const stranger = await udp();
    try {
      for (let i = 0; i < 5; i++) send(stranger, leg.localPort, { sequence: 100 + i, timestamp: 0, ssrc: 0x999 }, payloads[0]!);
      await until(() => leg.stats().packetsDropped >= 6, 1000);
    } finally {
      stranger.close();
    }
    assert.equal(leg.stats().packetsIn, 50);
    assert.equal((await droppedStrangers()) - before, 5);
  } finally {
    cleanup();
  }
});

test('outbound: ~20 ms packets, continuous seq/ts, from our RTP port, decoding to what was played', async () => {
  const { leg, received, pacer, cleanup } = await setup();
  try {
    await until(() => received.length >= 5, 1000); // comfort silence flows before anything is played
    assert.ok(received.every((r) => r.packet.payload.every((b) => b === 0xff)), 'μ-law silence');
    const pcm = tone(1000, 160 * 20);
    const played = leg.output.play('t1', pcm);
    const report = await played;
    assert.deepEqual(report, { id: 't1', playedMs: 400, totalMs: 400, interrupted: false });
    await until(() => received.length >= 40, 2000);

    const pk = received.map((r) => r.packet);
    for (let i = 1; i < pk.length; i++) {
      assert.equal(pk[i]!.sequence, (pk[i - 1]!.sequence + 1) & 0xffff, `seq at ${i}`);
      assert.equal(pk[i]!.timestamp, (pk[i - 1]!.timestamp + 160) >>> 0, `ts at ${i}`);
      assert.equal(pk[i]!.ssrc, pk[0]!.ssrc);
      assert.equal(pk[i]!.payloadType, 0);
    }
    assert.ok(received.every((r) => r.port === leg.localPort), 'symmetric RTP: sent from the port we receive on');
    const gaps = received.slice(1).map((r, i) => r.at - received[i]!.at).sort((a, b) => a - b);
    const median = gaps[gaps.length >> 1]!;
    assert.ok(median > 15 && median < 25, `median interval ${median} ms`);
    const span = received[received.length - 1]!.at - received[0]!.at;
    // No drift: the pacer's deadlines are absolute (ticks it skipped after an event-loop stall aside).
    const mean = span / (received.length - 1 + pacer.skipped);
    assert.ok(Math.abs(mean - 20) < 3, `mean interval ${mean} ms`);

    // The talkspurt starts with the marker bit; its 20 packets are the tone, encoded.
    const start = pk.findIndex((p) => p.marker);
    assert.ok(start > 0);
    assert.equal(pk.filter((p) => p.marker).length, 1);
    const enc = createEncoder(PCMU);
    for (let i = 0; i < 20; i++) {
      const want = new Uint8Array(160);
      enc.encodeInto(pcm.subarray(i * 160, (i + 1) * 160), want);
      assert.deepEqual(pk[start + i]!.payload, want, `packet ${i} of the talkspurt`);
    }
    assert.ok(pk[start + 20]!.payload.every((b) => b === 0xff), 'back to comfort silence');
    assert.ok(leg.stats().packetsOut >= received.length);
  } finally {
    cleanup();
  }
});

test('DTMF: RFC 4733 in → one dtmf event; sendDtmf → event packets interleaved in the stream', async () => {
  const { leg, peer, received, cleanup } = await setup();
  try {
    const events: DtmfEvent[] = [];
    leg.on('dtmf', (e) => events.push(e));
    const silence = new Uint8Array(160).fill(0xff);
    let seq = 500;
    for (let i = 0; i < 3; i++) send(peer, leg.localPort, { sequence: seq++, timestamp: 8000 + i * 160 }, silence);
    for (const p of telephoneEventPackets('7', { clockRate: 8000, durationMs: 100 })) {
      send(peer, leg.localPort, { sequence: seq++, timestamp: 8480, payloadType: 101, marker: p.marker }, p.payload);
    }
    await until(() => events.length >= 1, 1000);
    await sleep(100);
    assert.deepEqual(events, [{ digit: '7', durationMs: 100, source: 'rfc4733' }]);
    assert.equal(leg.stats().packetsIn, 10);

    await until(() => received.length >= 2, 1000);
    await leg.sendDtmf(['1', '#']);
    await sleep(30);
    const pk = received.map((r) => r.packet);
    for (let i = 1; i < pk.length; i++) assert.equal(pk[i]!.sequence, (pk[i - 1]!.sequence + 1) & 0xffff);
    const te = pk.filter((p) => p.payloadType === 101);
    assert.equal(te.length, 14);
    assert.deepEqual(te.map((p) => parseTelephoneEvent(p.payload)!.event), [1, 1, 1, 1, 1, 1, 1, 11, 11, 11, 11, 11, 11, 11]);
    assert.ok(te.every((p) => p.ssrc === pk[0]!.ssrc));
    assert.deepEqual(te.filter((p) => p.marker).length, 2);
  } finally {
    cleanup();
  }
});

test('media timeout fires without inbound RTP, but not while held; hold stops sending', async () => {
  const a = await setup({ mediaTimeoutSec: 0.15 });
  const b = await setup({ mediaTimeoutSec: 0.15 });
  try {
    let timeouts = 0;
    a.leg.on('media-timeout', () => timeouts++);
    let heldTimeouts = 0;
    b.leg.on('media-timeout', () => heldTimeouts++);
    b.leg.setDirection('inactive');
    await until(() => timeouts === 1, 1000);
    const sentBefore = b.received.length;
    await sleep(300);
    assert.equal(timeouts, 1, 'reported once, not every tick');
    assert.equal(heldTimeouts, 0);
    assert.ok(b.received.length - sentBefore <= 1, 'no audio while inactive');
    b.leg.setDirection('sendrecv');
    await until(() => b.received.length >= sentBefore + 3, 1000);
    // Resumed: the timestamp reflects the time spent on hold, the sequence does not jump.
    const pk = b.received.map((r) => r.packet);
    const last = pk[pk.length - 1]!;
    const prev = pk[pk.length - 2]!;
    assert.equal(last.sequence, (prev.sequence + 1) & 0xffff);
  } finally {
    a.cleanup();
    b.cleanup();
  }
});

test('close is idempotent and releases the port, the pacer tick and pending DTMF', async () => {
  const { leg, pool, pacer, cleanup } = await setup();
  assert.equal(pool.inUse, 1);
  assert.equal(pacer.size, 1);
  leg.output.play('x', tone(400, 8000));
  const pending = leg.sendDtmf(['1', '2', '3']);
  leg.close('bye');
  leg.close('bye again');
  await assert.rejects(pending);
  assert.equal(pool.inUse, 0);
  assert.equal(pacer.size, 0);
  assert.equal(leg.output.idle, true);
  cleanup();
});

test('RTCP muxed on the RTP port is counted, and our receiver report goes back the same way; junk is dropped by reason', async () => {
  const { leg, peer, cleanup } = await setup({ rtcpIntervalMs: 100 });
  const rtcpIn: Buffer[] = [];
  peer.on('message', (msg) => {
    if (msg[1] === 201) rtcpIn.push(msg);
  });
  try {
    const payload = new Uint8Array(160).fill(0xff);
    for (let i = 0; i < 5; i++) send(peer, leg.localPort, { sequence: 10 + i, timestamp: i * 160, ssrc: 0xfeed }, payload);
    const rtcpBefore = (await metrics.rtcpPacketsIn.get()).values[0]?.value ?? 0;
    const sr = Buffer.alloc(28);
    sr[0] = 0x80;
    sr[1] = 200;
    sr.writeUInt16BE(6, 2);
    sr.writeUInt32BE(0xfeed, 4);
    sr.writeUInt32BE(0x00001111, 8);
    sr.writeUInt32BE(0x22220000, 12);
    peer.send(sr, leg.localPort, '127.0.0.1');
    const [pt0, short] = [await dropped('unknown-pt'), await dropped('too-short')];
    send(peer, leg.localPort, { sequence: 15, timestamp: 800, ssrc: 0xfeed, payloadType: 8 }, payload);
    peer.send(Buffer.from([0x80, 0, 1]), leg.localPort, '127.0.0.1');
    await until(() => rtcpIn.length > 0 && leg.stats().packetsDropped >= 2, 1500);
    assert.equal(((await metrics.rtcpPacketsIn.get()).values[0]?.value ?? 0) - rtcpBefore, 1);
    assert.equal((await dropped('unknown-pt')) - pt0, 1);
    assert.equal((await dropped('too-short')) - short, 1);
    assert.equal(leg.stats().packetsIn, 5);
    await until(() => rtcpIn.some((m) => m[0]! & 0x1f), 1500);
    const r = parseRtcp(rtcpIn.find((m) => m[0]! & 0x1f)!);
    assert.ok(r.ok);
    const rr = r.packets[0]!;
    assert.ok(rr.type === 'rr');
    assert.equal(rr.reports[0]!.ssrc, 0xfeed);
    assert.equal(rr.reports[0]!.highestSeq, 14);
    assert.equal(rr.reports[0]!.lastSr, 0x11112222);
  } finally {
    cleanup();
  }
});

test('a lost packet is concealed in its slot and counted, the timeline does not slip', async () => {
  const { leg, peer, cleanup } = await setup({ jitter: { min: 100, max: 300 } });
  try {
    const sink = new CollectSink();
    leg.connectInput(sink);
    const lostBefore = (await metrics.rtpPacketsLost.get()).values[0]?.value ?? 0;
    const loud = new Uint8Array(160).fill(0x10); // a large negative μ-law value
    const t0 = performance.now();
    for (let i = 0; i < 12; i++) {
      if (i !== 5) send(peer, leg.localPort, { sequence: 300 + i, timestamp: i * 160 }, loud);
      await sleep(Math.max(0, t0 + (i + 1) * 20 - performance.now()));
    }
    await until(() => sink.frames.length >= 12, 2000);
    // '.' silence, 'x' the steady signal as sent, 'c' changed by concealment.
    const pattern = sink.frames.slice(0, 12).map((f) => (f.samples.every((v) => v === 0) ? '.' : f.samples.every((v) => v === f.samples[0]) ? 'x' : 'c')).join('');
    // G.711 Appendix I PLC (codecs/plc): the slot where packet 5 belonged repeats the signal, then
    // fades it; packet 6's start is cross-faded with that continuation.
    assert.equal(pattern, 'xxxxxccxxxxx');
    assert.equal(leg.stats().packetsLost, 1);
    assert.equal(((await metrics.rtpPacketsLost.get()).values[0]?.value ?? 0) - lostBefore, 1);
  } finally {
    cleanup();
  }
});
