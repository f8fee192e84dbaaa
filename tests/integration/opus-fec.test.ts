/**
 * Opus in-band FEC end to end: a scripted UAC offers opus with useinbandfec=1, checks that the
 * running gateway's answer asks for FEC too (RFC 7587 §6.1), then streams speech encoded by libopus
 * with FEC on (20 % expected loss) at 20 ms, leaving out every 10th packet. The gateway's jitter
 * buffer already holds the packet after each gap when the gap is due, so the lost frame is rebuilt
 * from that packet's LBRR data: trunkline_codec_lost_frames_total{codec="opus",method="fec"} counts it.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import dgram from 'node:dgram';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EspeakTts } from '../../agent/providers/tts/espeak.ts';
import { opusHasLbrr } from '../../codecs/opus/packet.ts';
import { eventually, sleep } from './harness/eventually.ts';
import { startGateway, type Gateway } from './harness/gateway.ts';
import { ackAndBye, statusOf, UdpPeer } from './harness/raw-sip.ts';

const PT = 111;
const RATE = 16000;

interface RawEncoder {
  encode(pcm: Buffer): Buffer;
  applyEncoderCTL(ctl: number, value: number): void;
  setBitrate(bps: number): void;
}
const { OpusEncoder } = createRequire(import.meta.url)('@discordjs/opus') as { OpusEncoder: new (rate: number, ch: number) => RawEncoder };

function invite(peer: UdpPeer, rtpPort: number, gw: Gateway): string {
  const sdp = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${rtpPort} RTP/AVP ${PT}`, `a=rtpmap:${PT} opus/48000/2`, `a=fmtp:${PT} useinbandfec=1;maxplaybackrate=16000`, 'a=ptime:20', 'a=sendrecv', ''].join('\r\n');
  const b = randomBytes(6).toString('hex');
  return [
    `INVITE sip:trunkline@127.0.0.1:${gw.sipPort} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${peer.localPort};branch=z9hG4bK${b};rport`,
    'Max-Forwards: 70',
    `From: <sip:caller@127.0.0.1>;tag=${b.slice(0, 8)}`,
    `To: <sip:trunkline@127.0.0.1:${gw.sipPort}>`,
    `Call-ID: ${b}@127.0.0.1`,
    'CSeq: 1 INVITE',
    `Contact: <sip:caller@127.0.0.1:${peer.localPort}>`,
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(sdp)}`,
    '',
    sdp,
  ].join('\r\n');
}

describe('opus in-band FEC through the running gateway', () => {
  let gw: Gateway;
  let packets: Uint8Array[] = [];

  before(async () => {
    gw = await startGateway({ config: { calls: { drainTimeoutSec: 2 }, codecs: ['opus', 'G722', 'PCMU', 'PCMA'] } });
    const speech = (await new EspeakTts().synthesize('Hello, I would like to check the opening hours of the downtown branch, please.', { sampleRate: RATE })).pcm;
    const enc = new OpusEncoder(RATE, 1);
    enc.applyEncoderCTL(4000, 2048); // OPUS_SET_APPLICATION(VOIP)
    enc.applyEncoderCTL(4012, 1); // OPUS_SET_INBAND_FEC
    enc.applyEncoderCTL(4014, 20); // OPUS_SET_PACKET_LOSS_PERC
    enc.setBitrate(24000);
    for (let i = 0; i + 320 <= speech.length && packets.length < 200; i += 320) packets.push(Uint8Array.from(enc.encode(Buffer.from(speech.buffer, speech.byteOffset + 2 * i, 640))));
  });

  after(async () => {
    if (!gw) return;
    const running = gw.isRunning();
    const exit = await gw.stop();
    assert.ok(running, `gateway died during the tests: ${JSON.stringify(exit)}\n${gw.describe()}`);
  });

  test('the answer asks for FEC and lost packets are rebuilt from it', { timeout: 40_000 }, async (t) => {
    const peer = await UdpPeer.open();
    const rtp = dgram.createSocket('udp4');
    await new Promise<void>((r) => rtp.bind(0, '127.0.0.1', r));
    const target = { host: '127.0.0.1', port: gw.sipPort };
    try {
      const replies = await peer.exchange(invite(peer, rtp.address().port, gw), target.host, target.port, 10_000);
      const ok = replies.find((m) => statusOf(m) === 200);
      assert.ok(ok, `no 200 OK: ${replies.map((m) => m.split('\r\n', 1)[0]).join(' | ')}\n${gw.describe()}`);
      assert.match(ok, new RegExp(`^a=fmtp:${PT} .*useinbandfec=1`, 'm'), 'our answer asks the caller for in-band FEC');
      const port = Number(/^m=audio (\d+)/m.exec(ok)?.[1]);
      const fec0 = await gw.metric('trunkline_codec_lost_frames_total', { codec: 'opus', method: 'fec' });
      const plc0 = await gw.metric('trunkline_codec_lost_frames_total', { codec: 'opus', method: 'plc' });
      const errors0 = await gw.metric('trunkline_codec_errors_total');
      // ACK only (ackAndBye hangs up too): RFC 3261 §13.2.2.4.
      const callId = /^Call-ID:\s*(.*)$/im.exec(ok)?.[1]?.trim();
      const from = /^From:\s*(.*)$/im.exec(ok)?.[1]?.trim();
      const to = /^To:\s*(.*)$/im.exec(ok)?.[1]?.trim();
      const ruri = /<([^>]+)>/.exec(/^Contact:\s*(.*)$/im.exec(ok)?.[1] ?? '')?.[1] ?? `sip:trunkline@127.0.0.1:${gw.sipPort}`;
      await peer.send(`ACK ${ruri} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${peer.localPort};branch=z9hG4bK${randomBytes(6).toString('hex')};rport\r\nMax-Forwards: 70\r\nFrom: ${from}\r\nTo: ${to}\r\nCall-ID: ${callId}\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n`, target.host, target.port);

      // Every 10th packet is left out; paced on absolute deadlines so timer lateness does not drift.
      const ssrc = randomBytes(4).readUInt32BE(0);
      let dropped = 0;
      let droppedWithLbrrNext = 0;
      const t0 = performance.now();
      for (let k = 0; k < packets.length; k++) {
        const lose = k % 10 === 5 && k + 1 < packets.length;
        if (lose) {
          dropped++;
          if (opusHasLbrr(packets[k + 1]!)) droppedWithLbrrNext++;
        } else {
          const p = packets[k]!;
          const pkt = Buffer.alloc(12 + p.length);
          pkt[0] = 0x80;
          pkt[1] = (k === 0 ? 0x80 : 0) | PT;
          pkt.writeUInt16BE((40000 + k) & 0xffff, 2);
          pkt.writeUInt32BE((k * 960) >>> 0, 4); // opus's RTP clock is always 48 kHz (RFC 7587 §4.1)
          pkt.writeUInt32BE(ssrc, 8);
          pkt.set(p, 12);
          rtp.send(pkt, port, '127.0.0.1');
        }
        await sleep(Math.max(0, t0 + (k + 1) * 20 - performance.now()));
      }
      const done = (v: number): boolean => v >= dropped;
      const lostFrames = async (): Promise<number> =>
        (await gw.metric('trunkline_codec_lost_frames_total', { codec: 'opus', method: 'fec' })) - fec0 + (await gw.metric('trunkline_codec_lost_frames_total', { codec: 'opus', method: 'plc' })) - plc0;
      await eventually(lostFrames, done, 3000);
      const fec = (await gw.metric('trunkline_codec_lost_frames_total', { codec: 'opus', method: 'fec' })) - fec0;
      const plc = (await gw.metric('trunkline_codec_lost_frames_total', { codec: 'opus', method: 'plc' })) - plc0;
      t.diagnostic(`dropped ${dropped} (${droppedWithLbrrNext} followed by LBRR): fec ${fec}, plc ${plc}`);
      assert.ok(droppedWithLbrrNext >= dropped / 2, `speech should carry LBRR: ${droppedWithLbrrNext} of ${dropped}`);
      // A stalled event loop on a busy machine can leave a gap in the buffer at the wrong moment
      // (an underrun, then the next packet is not there yet): allow a few of those.
      assert.ok(fec >= droppedWithLbrrNext - 3, `only ${fec} of ${droppedWithLbrrNext} recoverable losses used FEC (plc ${plc})`);
      assert.ok(fec + plc >= dropped - 3 && fec + plc <= dropped + 3, `lost frames ${fec + plc} vs ${dropped} dropped`);
      assert.equal(await gw.metric('trunkline_codec_errors_total'), errors0, 'no payload was rejected by our decoder');
      await ackAndBye(peer, ok, target);
    } finally {
      rtp.close();
      peer.close();
    }
  });
});
