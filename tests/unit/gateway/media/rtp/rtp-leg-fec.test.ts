import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { EspeakTts } from '../../../../../agent/providers/tts/espeak.ts';
import { codecInfo, createDecoder, createEncoder, negotiateOpus, opusInfo } from '../../../../../codecs/index.ts';
import { opusHasLbrr } from '../../../../../codecs/opus/packet.ts';
import type { AudioFrame, CodecInfo } from '../../../../../codecs/types.ts';
import { silentLogger } from '../../../../../gateway/log.ts';
import { metrics } from '../../../../../gateway/metrics.ts';
import type { Pacer } from '../../../../../gateway/media/pacer.ts';
import { writeRtp } from '../../../../../gateway/media/rtp/packet.ts';
import { PortPool } from '../../../../../gateway/media/rtp/port-pool.ts';
import { RtpLeg } from '../../../../../gateway/media/rtp/rtp-leg.ts';

/**
 * The leg's receive path on loss: real UDP in, a hand-driven tick and clock (so the jitter buffer
 * sees perfectly regular arrivals), and the lost Opus frame rebuilt from the next packet's in-band
 * FEC when that packet is already buffered — counted in trunkline_codec_lost_frames_total.
 */

async function lostFrames(codec: string, method: string): Promise<number> {
  const m = await metrics.codecLostFrames.get();
  return m.values.find((v) => v.labels.codec === codec && v.labels.method === method)?.value ?? 0;
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`condition not met in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Streams `payloads` (skipping `lost`) into a leg, three packets ahead of playout; returns the frames it produced. */
async function playThroughLeg(codec: CodecInfo, payloads: Uint8Array[], lost: ReadonlySet<number>): Promise<{ frames: AudioFrame[]; leg: RtpLeg }> {
  let tick: () => void = () => {};
  const pacer = { add: (t: () => void) => ((tick = t), () => {}) } as unknown as Pacer;
  let clock = 0;
  const base = 44000 + 2 * Math.floor(Math.random() * 4000);
  const pool = new PortPool({ portMin: base, portMax: base + 20, quarantineMs: 0 });
  const leg = await RtpLeg.open({ bindAddress: '127.0.0.1', pool, codec, pacer, jitter: { min: 40, max: 400 }, mediaTimeoutSec: 30, log: silentLogger, rtcpIntervalMs: 0, now: () => clock });
  const peer: Socket = createSocket('udp4');
  await new Promise<void>((r) => peer.bind(0, '127.0.0.1', r));
  const frames: AudioFrame[] = [];
  leg.connectInput({ write: (f) => frames.push({ ...f, samples: f.samples.slice() }), describe: () => 'Collect' });
  leg.setRemote('127.0.0.1', peer.address().port);
  const spf = (codec.clockRate / 50) >>> 0;
  try {
    let sent = 0;
    let next = 0;
    const sendUpTo = async (k: number): Promise<void> => {
      for (; next <= Math.min(k, payloads.length - 1); next++) {
        if (lost.has(next)) continue;
        const p = payloads[next]!;
        const out = Buffer.alloc(12 + p.length);
        writeRtp({ marker: next === 0, payloadType: codec.payloadType, sequence: 3000 + next, timestamp: 90000 + next * spf, ssrc: 0x5eed }, p, out);
        peer.send(out, leg.localPort, '127.0.0.1');
        sent++;
      }
      await until(() => leg.stats().packetsIn === sent, 2000);
    };
    // Bounded: one tick per packet plus the prebuffer.
    for (let t = 0; t < payloads.length + 3; t++) {
      await sendUpTo(t + 3);
      clock += 20;
      tick();
    }
    return { frames, leg };
  } finally {
    leg.close('test end');
    peer.close();
  }
}

test('a dropped Opus packet is rebuilt by FEC from the buffered next packet; two in a row: PLC then FEC', async () => {
  const codec = opusInfo(111, negotiateOpus('useinbandfec=1'));
  const speech = (await new EspeakTts().synthesize('Please hold while we connect your call to the next agent.', { sampleRate: 16000 })).pcm;
  const enc = createEncoder(codec);
  const buf = new Uint8Array(1500);
  const payloads: Uint8Array[] = [];
  for (let i = 0; i + 320 <= speech.length && payloads.length < 80; i += 320) payloads.push(buf.slice(0, enc.encodeInto(speech.subarray(i, i + 320), buf)));
  // A single loss and a double loss, each followed by a packet that carries LBRR.
  const single = payloads.findIndex((_, k) => k >= 20 && opusHasLbrr(payloads[k + 1]!));
  const double = payloads.findIndex((_, k) => k >= single + 10 && opusHasLbrr(payloads[k + 2]!));
  assert.ok(single > 0 && double > 0 && double + 2 < payloads.length);
  const lost = new Set([single, double, double + 1]);

  const fecBefore = await lostFrames('opus', 'fec');
  const plcBefore = await lostFrames('opus', 'plc');
  const { frames, leg } = await playThroughLeg(codec, payloads, lost);
  assert.equal((await lostFrames('opus', 'fec')) - fecBefore, 2, 'the single loss and the second of the pair');
  assert.equal((await lostFrames('opus', 'plc')) - plcBefore, 1, 'the first of the pair had no next packet yet');
  assert.equal(leg.stats().packetsLost, 3);
  assert.equal(leg.stats().packetsDropped, 0);

  // What the leg played is bit-exact what one libopus state gives for that sequence of calls...
  const dec = createDecoder(codec);
  const out = new Int16Array(1920);
  const want = payloads.map((p, k) => {
    const n = k === double ? dec.concealInto(out) : lost.has(k) ? dec.recoverInto!(payloads[k + 1]!, out).samples : dec.decodeInto(p, out);
    return out.slice(0, n);
  });
  assert.ok(frames.length >= payloads.length);
  for (let k = 0; k < payloads.length; k++) assert.deepEqual(frames[k]!.samples, want[k], `frame ${k}`);
  // ...and the rebuilt frame is close to the loss-free decode, unlike concealment.
  const clean = createDecoder(codec);
  const ref = payloads.map((p) => out.slice(0, clean.decodeInto(p, out)));
  const plc = createDecoder(codec);
  const concealed = payloads.map((p, k) => out.slice(0, k === single ? plc.concealInto(out) : plc.decodeInto(p, out)));
  const err = (x: Int16Array, r: Int16Array) => x.reduce((s, v, i) => s + (v - r[i]!) ** 2, 0);
  const errFec = err(frames[single]!.samples, ref[single]!);
  const errPlc = err(concealed[single]!, ref[single]!);
  assert.ok(errFec < errPlc / 2, `FEC error ${errFec.toExponential(2)} vs PLC ${errPlc.toExponential(2)}`);
});

test('a lost PCMU frame is concealed by G.711 Appendix I PLC (not silence) and counted as plc', async () => {
  const codec = codecInfo('PCMU');
  const payloads = Array.from({ length: 12 }, () => new Uint8Array(160).fill(0x10));
  const before = await lostFrames('PCMU', 'plc');
  const { frames } = await playThroughLeg(codec, payloads, new Set([5]));
  assert.equal((await lostFrames('PCMU', 'plc')) - before, 1);
  // A steady signal is repeated as it was for the first 10 ms, then attenuated (never silent).
  const level = frames[4]!.samples[0]!;
  assert.ok(level !== 0);
  assert.deepEqual([...frames[5]!.samples.subarray(0, 80)], new Array(80).fill(level));
  assert.ok(frames[5]!.samples.every((v) => v !== 0 && Math.abs(v) <= Math.abs(level)));
  assert.ok(frames[6]!.samples.every((v) => v !== 0));
});
