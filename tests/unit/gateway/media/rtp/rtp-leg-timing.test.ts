import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { codecInfo } from '../../../../../codecs/index.ts';
import type { AudioFrame } from '../../../../../codecs/types.ts';
import { silentLogger } from '../../../../../gateway/log.ts';
import { metrics } from '../../../../../gateway/metrics.ts';
import { Pacer } from '../../../../../gateway/media/pacer.ts';
import { parseRtp, writeRtp, type RtpPacket } from '../../../../../gateway/media/rtp/packet.ts';
import { PortPool } from '../../../../../gateway/media/rtp/port-pool.ts';
import { RtpLeg } from '../../../../../gateway/media/rtp/rtp-leg.ts';

/**
 * Issue 5 on a real socket: caller frames carry their packet's arrival time (the cascade times the
 * endpointing silence from it) and leave the leg as soon as they are in order (inbound.ts), and the
 * agent's first packet of a talkspurt leaves at once rather than at the next pacer tick.
 */

const PCMU = codecInfo('PCMU');
const lostWrittenAfterNext = (f: readonly { writtenAt: number; arrivalMs?: number }[]) => f[12]!.writtenAt >= f[13]!.arrivalMs! + 15;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`condition not met in ${ms} ms`);
    await sleep(5);
  }
}

async function setup(jitter = { min: 20, max: 200 }) {
  const pacer = new Pacer();
  const base = 47000 + 2 * Math.floor(Math.random() * 4000);
  const pool = new PortPool({ portMin: base, portMax: base + 20, quarantineMs: 0 });
  const leg = await RtpLeg.open({ bindAddress: '127.0.0.1', pool, codec: PCMU, pacer, jitter, mediaTimeoutSec: 30, log: silentLogger, rtcpIntervalMs: 0 });
  const peer: Socket = createSocket('udp4');
  await new Promise<void>((r) => peer.bind(0, '127.0.0.1', r));
  const received: { packet: RtpPacket; at: number }[] = [];
  peer.on('message', (msg) => {
    const r = parseRtp(msg);
    if (r.ok) received.push({ packet: { ...r.packet, payload: Uint8Array.from(r.packet.payload) }, at: performance.now() });
  });
  leg.setRemote('127.0.0.1', peer.address().port);
  return { leg, peer, received, cleanup: () => (leg.close('test end'), peer.close(), pacer.stop()) };
}

test('each caller frame carries its packet arrival time; concealed frames are dated in step', async () => {
  const { leg, peer, cleanup } = await setup();
  try {
    const frames: (AudioFrame & { writtenAt: number })[] = [];
    leg.connectInput({ write: (f) => frames.push({ ...f, samples: f.samples.slice(), writtenAt: performance.now() }), describe: () => 'Collect' });
    const sentAt: number[] = [];
    const out = Buffer.alloc(172);
    const t0 = performance.now();
    for (let i = 0; i < 25; i++) {
      sentAt.push(performance.now());
      // Packet 12 is lost: its frame is concealed, and dated where its packet would have arrived.
      if (i !== 12) peer.send(out.subarray(0, writeRtp({ marker: i === 0, payloadType: 0, sequence: 500 + i, timestamp: i * 160, ssrc: 7 }, new Uint8Array(160).fill(0x10), out)), leg.localPort, '127.0.0.1');
      await sleep(Math.max(0, t0 + (i + 1) * 20 - performance.now()));
    }
    await until(() => frames.length >= 25, 3000);
    const f = frames.slice(0, 25);
    for (const [i, fr] of f.entries()) {
      assert.ok(fr.arrivalMs !== undefined, `frame ${i} dated`);
      assert.ok(fr.arrivalMs <= fr.writtenAt, `frame ${i} arrived before it was delivered`);
      if (i === 12) continue;
      // Loopback in one process: the arrival is the send plus an event-loop turn (loaded machines: tens of ms).
      assert.ok(fr.arrivalMs >= sentAt[i]! && fr.arrivalMs - sentAt[i]! < 60, `frame ${i}: sent ${sentAt[i]}, arrived ${fr.arrivalMs}`);
    }
    const waits = f.map((fr) => fr.writtenAt - fr.arrivalMs!).sort((a, b) => a - b);
    const median = waits[waits.length >> 1]!;
    // Released on arrival (in order): no target depth, no tick phase.
    assert.ok(median < 5, `median wait in the jitter buffer ${median} ms`);
    // The concealed frame leaves once its gap has timed out (the 20 ms target), after packet 13 arrived.
    assert.ok(lostWrittenAfterNext(f), 'the lost frame waited for its gap to time out');
    const lost = f[12]!;
    // Concealed by the codec (silence, or G.711 Appendix I PLC: never louder than what came before).
    const peak = (s: Int16Array) => s.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    assert.ok(peak(lost.samples) <= peak(f[11]!.samples));
    assert.ok(Math.abs(lost.arrivalMs! - (f[11]!.arrivalMs! + f[13]!.arrivalMs!) / 2) < 25, 'dated between its neighbours');
  } finally {
    cleanup();
  }
});

test("the agent's first packet of a talkspurt leaves at once, in its slot, and the stream stays continuous", async () => {
  const { leg, received, cleanup } = await setup();
  try {
    const earlyBefore = (await metrics.rtpTalkspurtsEarly.get()).values[0]?.value ?? 0;
    await until(() => received.length >= 3, 1000); // comfort silence flows
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      // Start each reply at a different phase of the 20 ms tick.
      await sleep(97 + i * 7);
      const before = received.length;
      const asked = performance.now();
      const done = leg.output.play(`r${i}`, new Int16Array(160 * 3).fill(6000));
      await until(() => received.slice(before).some((r) => r.packet.marker), 1000);
      waits.push(received.slice(before).find((r) => r.packet.marker)!.at - asked);
      await done;
    }
    await sleep(60);
    waits.sort((a, b) => a - b);
    // Paced by the tick it would wait 10 ms on average and up to 20; sent at once, about nothing.
    assert.ok(waits[waits.length >> 1]! < 5, `play → first packet received: ${waits.map((w) => w.toFixed(1)).join(', ')} ms`);
    assert.ok((await metrics.rtpTalkspurtsEarly.get()).values[0]!.value - earlyBefore >= 3);
    const pk = received.map((r) => r.packet);
    for (let i = 1; i < pk.length; i++) {
      assert.equal(pk[i]!.sequence, (pk[i - 1]!.sequence + 1) & 0xffff, `seq at ${i}`);
      assert.equal(pk[i]!.timestamp, (pk[i - 1]!.timestamp + 160) >>> 0, `ts at ${i}`);
    }
    assert.equal(pk.filter((p) => p.marker).length, 6, 'one marker per talkspurt');
    // One packet per slot: never more than one ahead of the 20 ms clock over the whole run.
    const span = received.at(-1)!.at - received[0]!.at;
    assert.ok(received.length - 1 <= span / 20 + 2, `${received.length} packets in ${span.toFixed(0)} ms`);
  } finally {
    cleanup();
  }
});
