/** The RTP leg under hostile media: a per-call packet-rate cap and SSRC strictness after latching. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { codecInfo } from '../../../../../codecs/index.ts';
import { silentLogger } from '../../../../../gateway/log.ts';
import { metrics } from '../../../../../gateway/metrics.ts';
import { Pacer } from '../../../../../gateway/media/pacer.ts';
import { writeRtp } from '../../../../../gateway/media/rtp/packet.ts';
import { PortPool } from '../../../../../gateway/media/rtp/port-pool.ts';
import { RtpLeg, type RtpLegOptions } from '../../../../../gateway/media/rtp/rtp-leg.ts';

const PCMU = codecInfo('PCMU');

async function setup(over: Partial<RtpLegOptions>) {
  const pacer = new Pacer();
  const base = 32000 + 2 * Math.floor(Math.random() * 4000);
  const pool = new PortPool({ portMin: base, portMax: base + 20, quarantineMs: 0 });
  const leg = await RtpLeg.open({ bindAddress: '127.0.0.1', pool, codec: PCMU, pacer, jitter: { min: 40, max: 200 }, mediaTimeoutSec: 30, log: silentLogger, rtcpIntervalMs: 0, ...over });
  const peer = createSocket('udp4');
  await new Promise<void>((r) => peer.bind(0, '127.0.0.1', r));
  leg.setRemote('127.0.0.1', peer.address().port);
  return { leg, peer, cleanup: () => (leg.close('test'), peer.close(), pacer.stop()) };
}

function send(sock: Socket, port: number, seq: number, ssrc: number): void {
  const out = Buffer.alloc(12 + 160);
  writeRtp({ marker: false, payloadType: 0, sequence: seq, timestamp: seq * 160, ssrc }, new Uint8Array(160), out);
  sock.send(out, port, '127.0.0.1');
}

async function dropped(reason: string): Promise<number> {
  return (await metrics.rtpPacketsDropped.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a flood on one call is capped at maxPacketsPerSec; the excess is dropped as "rate"', async () => {
  // A frozen clock keeps every packet in one rate window, however slowly a loaded machine sends.
  const { leg, peer, cleanup } = await setup({ maxPacketsPerSec: 100, now: () => 5000 });
  try {
    const before = await dropped('rate');
    // In batches, so the kernel's socket buffer does not drop them before the leg sees them.
    for (let i = 0; i < 400; i++) {
      send(peer, leg.localPort, i, 0x1111);
      if (i % 25 === 24) await sleep(5);
    }
    await sleep(300);
    const excess = (await dropped('rate')) - before;
    assert.ok(leg.stats().packetsIn <= 100, `accepted ${leg.stats().packetsIn}`);
    assert.ok(excess >= 100, `rate drops ${excess}`);
  } finally {
    cleanup();
  }
});

test('after the latching window a second SSRC from the latched source is ignored', async () => {
  const { leg, peer, cleanup } = await setup({ latchWindowMs: 50 });
  try {
    send(peer, leg.localPort, 1, 0xaaaa);
    await sleep(120);
    const before = await dropped('stranger');
    for (let i = 0; i < 5; i++) send(peer, leg.localPort, 100 + i, 0xbbbb);
    send(peer, leg.localPort, 2, 0xaaaa);
    await sleep(100);
    assert.equal((await dropped('stranger')) - before, 5);
    assert.equal(leg.stats().packetsIn, 2);
  } finally {
    cleanup();
  }
});
