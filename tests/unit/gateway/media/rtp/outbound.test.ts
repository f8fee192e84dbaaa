import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codecInfo, createEncoder } from '../../../../../codecs/index.ts';
import { Playout } from '../../../../../gateway/media/playout.ts';
import { RtpOutbound } from '../../../../../gateway/media/rtp/outbound.ts';
import { parseRtp, type RtpPacket } from '../../../../../gateway/media/rtp/packet.ts';
import { RtpSender } from '../../../../../gateway/media/rtp/rtp-sender.ts';

/**
 * The early first packet of a talkspurt: it takes its own slot's sequence number and timestamp,
 * the slot's tick then sends nothing, and the stream is never more than one packet ahead.
 */

const PCMU = codecInfo('PCMU');
const tone = (frames: number, v = 4000) => new Int16Array(160 * frames).fill(v);

function setup() {
  const playout = new Playout({ sampleRate: 8000 });
  const sender = new RtpSender({ encoder: createEncoder(PCMU), telephoneEventPt: 101, ssrc: 5 });
  /** Each packet with the slot it left in: `t<k>` at tick k, `a<k>` ahead of tick k. */
  const sent: { packet: RtpPacket; when: string }[] = [];
  let when = '';
  const out = new RtpOutbound({
    sender,
    playout,
    send: (b) => {
      const r = parseRtp(Uint8Array.from(b));
      assert.ok(r.ok);
      sent.push({ packet: r.packet, when });
    },
  });
  let k = 0;
  const tick = (state: 'send' | 'hold' = 'send') => ((when = `t${++k}`), out.tick(state));
  const ahead = (state: 'send' | 'hold' = 'send') => ((when = `a${k + 1}`), out.ahead(state));
  return { playout, sender, out, sent, tick, ahead };
}

function assertContinuous(pk: RtpPacket[]): void {
  for (let i = 1; i < pk.length; i++) {
    assert.equal(pk[i]!.sequence, (pk[i - 1]!.sequence + 1) & 0xffff, `seq at ${i}`);
    assert.equal(pk[i]!.timestamp, (pk[i - 1]!.timestamp + 160) >>> 0, `ts at ${i}`);
  }
}

test('a talkspurt ready between ticks leaves at once in the coming slot; that tick sends nothing', () => {
  const { playout, out, sent, tick, ahead } = setup();
  tick();
  tick();
  void playout.play('reply', tone(3));
  assert.equal(ahead(), true);
  tick();
  tick();
  tick();
  tick();
  assert.deepEqual(sent.map((s) => s.when), ['t1', 't2', 'a3', 't4', 't5', 't6']);
  const pk = sent.map((s) => s.packet);
  assertContinuous(pk);
  assert.deepEqual(pk.map((p) => p.marker), [false, false, true, false, false, false]);
  const enc = new Uint8Array(160);
  createEncoder(PCMU).encodeInto(tone(1), enc);
  assert.deepEqual([pk[2]!.payload, pk[3]!.payload, pk[4]!.payload], [enc, enc, enc], 'the three tone frames, in order');
  assert.ok(pk[5]!.payload.every((b) => b === 0xff), 'then comfort silence');
  assert.equal(out.early, 1);
});

test('never more than one packet ahead: a second ready in the same slot, or mid-talkspurt, waits for the ticks', () => {
  const { playout, sent, tick, ahead } = setup();
  tick();
  void playout.play('a', tone(1));
  assert.equal(ahead(), true);
  void playout.play('b', tone(2));
  assert.equal(ahead(), false, 'the coming slot is already taken');
  tick(); // slot 2: went ahead
  tick(); // slot 3: b's first frame
  assert.equal(ahead(), false, 'mid-talkspurt: the ticks pace it');
  tick();
  tick();
  assert.deepEqual(sent.map((s) => s.when), ['t1', 'a2', 't3', 't4', 't5']);
  assertContinuous(sent.map((s) => s.packet));
  assert.deepEqual(sent.map((s) => s.packet.marker), [false, true, false, false, false]);
});

test('nothing ahead on hold, while DTMF owns the stream, or with nothing to play; the clock stays whole', async () => {
  const { playout, sender, sent, tick, ahead } = setup();
  assert.equal(ahead(), false, 'nothing queued');
  tick();
  void playout.play('x', tone(2));
  assert.equal(ahead('hold'), false);
  assert.equal(playout.queuedMs, 40, 'nothing pulled on hold');
  const digits = sender.queueDtmf(['1']);
  tick(); // a DTMF packet
  assert.equal(ahead(), false, 'DTMF owns the stream');
  assert.equal(playout.queuedMs, 40);
  for (let i = 0; i < 20 && sender.dtmfActive; i++) tick();
  await digits;
  assert.ok(sent.some((s) => s.packet.payloadType === 101));
  // After the digit, ahead again; then hold through its slot and the next: timestamps keep the slots.
  const before = sent.length;
  tick();
  tick();
  playout.clear();
  void playout.play('y', tone(1));
  assert.equal(ahead(), true);
  const a = sent.at(-1)!.packet;
  tick('hold'); // the slot that went ahead
  tick('hold'); // a held slot: the timestamp runs on
  tick();
  const b = sent.at(-1)!.packet;
  assert.equal(b.sequence, (a.sequence + 1) & 0xffff);
  assert.equal(b.timestamp, (a.timestamp + 2 * 160) >>> 0);
  assert.ok(sent.length > before);
});
