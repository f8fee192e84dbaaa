/**
 * Offer-less INVITE (delayed offer, RFC 3261 §13.2.1 / RFC 3264 §5) against the running gateway:
 * SIPp sends an INVITE without SDP, gets the gateway's offer in the 200 and answers in the ACK. The
 * answer names an RTP port this test listens on, so we see the gateway's RTP arrive where the ACK
 * said, and play RFC 4733 DTMF from there back to it (the menu hears "9", says goodbye, sends BYE).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { startGateway, type Gateway } from './harness/gateway.ts';
import { runSipp, type SippResult } from './harness/sipp.ts';
import { eventually } from './harness/eventually.ts';

// PCMU/PCMA only: telephone-event is then 101 at 8000 in our offer, as the ACK's answer uses it.
const CONFIG = { codecs: ['PCMU', 'PCMA'], calls: { drainTimeoutSec: 2 } };

/** One RFC 4733 event packet (RFC 4733 §2.3): event, E bit, volume, duration in timestamp units. */
function dtmfPacket(seq: number, ts: number, ssrc: number, event: number, durationTs: number, end: boolean, marker: boolean): Buffer {
  const b = Buffer.alloc(16);
  b[0] = 0x80;
  b[1] = (marker ? 0x80 : 0) | 101;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE(ts, 4);
  b.writeUInt32BE(ssrc, 8);
  b[12] = event;
  b[13] = (end ? 0x80 : 0) | 10;
  b.writeUInt16BE(durationTs, 14);
  return b;
}

describe('offer-less INVITE (late offer)', () => {
  let gw: Gateway;

  before(async () => {
    gw = await startGateway({ config: CONFIG });
  });

  after(async () => {
    if (!gw) return;
    const running = gw.isRunning();
    const exit = await gw.stop();
    assert.ok(running, `gateway died during the tests: ${JSON.stringify(exit)}\n${gw.describe()}`);
  });

  const explain = (r: SippResult): string => `${r.describe()}\n${gw.describe()}`;
  const late = (outcome: string): Promise<number> => gw.metric('trunkline_late_offer_calls_total', { outcome });

  test('answer in the ACK: RTP goes to the ACK\'s port, DTMF from there reaches the menu, which hangs up', { timeout: 60_000 }, async () => {
    const [connected0, digits0, agentHangups0] = await Promise.all([late('connected'), gw.metric('trunkline_dtmf_digits_total'), gw.metric('trunkline_calls_total', { result: 'agent-hangup' })]);
    const rtp = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => (rtp.once('error', reject), rtp.bind(0, '127.0.0.1', () => resolve())));
    const received: { pt: number; from: number }[] = [];
    let pressed = false;
    rtp.on('message', (msg, rinfo) => {
      if (msg.length < 12 || received.length >= 5000) return;
      received.push({ pt: (msg[1] ?? 0) & 0x7f, from: rinfo.port });
      // After a second of the greeting, press 9 (the menu's goodbye) from the port the ACK named.
      if (received.length === 50 && !pressed) {
        pressed = true;
        const ssrc = 0x1234abcd;
        const ts = 160_000;
        const packets = [
          ...Array.from({ length: 8 }, (_, i) => dtmfPacket(100 + i, ts, ssrc, 9, (i + 1) * 160, false, i === 0)),
          ...Array.from({ length: 3 }, (_, i) => dtmfPacket(108 + i, ts, ssrc, 9, 8 * 160, true, false)),
        ];
        packets.forEach((p, i) => setTimeout(() => rtp.send(p, rinfo.port, rinfo.address), i * 20));
      }
    });
    try {
      const r = await runSipp('uac-late-offer.xml', { target: gw.target, timeoutMs: 45_000, extraArgs: ['-key', 'rtp_port', String(rtp.address().port)] });
      assert.equal(r.exitCode, 0, explain(r));
      assert.match(r.messages, /^BYE sip:/m, 'no BYE from the gateway in the trace');
    } finally {
      rtp.close();
    }
    const pcmu = received.filter((p) => p.pt === 0).length;
    assert.ok(pcmu >= 50, `only ${pcmu} PCMU packets reached the port given in the ACK\n${gw.describe()}`);
    assert.ok(received.every((p) => p.from >= gw.rtpRange.min && p.from <= gw.rtpRange.max), 'RTP from outside the gateway\'s range');
    assert.equal(await eventually(() => late('connected'), (v) => v >= connected0 + 1), connected0 + 1);
    assert.equal((await gw.metric('trunkline_dtmf_digits_total')) - digits0, 1, 'the menu did not count the digit played from the ACK\'s port');
    assert.equal(await eventually(() => gw.metric('trunkline_calls_total', { result: 'agent-hangup' }), (v) => v >= agentHangups0 + 1), agentHangups0 + 1);
  });

  test('an answer refusing the stream (port 0) is ended with BYE and counted', { timeout: 40_000 }, async () => {
    const [bad0, errors0] = await Promise.all([late('no-common-codec'), gw.metric('trunkline_calls_total', { result: 'error' })]);
    const r = await runSipp('uac-late-offer-bad-answer.xml', { target: gw.target, timeoutMs: 30_000 });
    assert.equal(r.exitCode, 0, explain(r));
    assert.match(r.messages, /^Reason: SIP ;cause=488/m, 'the BYE does not say why (RFC 3326 Reason)');
    assert.equal(await eventually(() => late('no-common-codec'), (v) => v >= bad0 + 1), bad0 + 1);
    assert.equal(await eventually(() => gw.metric('trunkline_calls_total', { result: 'error' }), (v) => v >= errors0 + 1), errors0 + 1);
  });
});
