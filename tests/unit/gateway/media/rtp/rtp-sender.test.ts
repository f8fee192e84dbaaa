import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codecInfo, createEncoder } from '../../../../../codecs/index.ts';
import { MediaError } from '../../../../../gateway/errors.ts';
import { parseTelephoneEvent } from '../../../../../gateway/media/rtp/dtmf-rfc4733.ts';
import { parseRtp, type RtpPacket } from '../../../../../gateway/media/rtp/packet.ts';
import { RtpSender } from '../../../../../gateway/media/rtp/rtp-sender.ts';

const pcmu = codecInfo('PCMU');
const loud = new Int16Array(160).fill(3000);
const quiet = new Int16Array(160);

function parsed(b: Uint8Array): RtpPacket {
  const r = parseRtp(Uint8Array.from(b));
  assert.ok(r.ok);
  return r.packet;
}

test('seq +1 and timestamp +160 per packet; marker on the first packet of each talkspurt', () => {
  const s = new RtpSender({ encoder: createEncoder(pcmu), ssrc: 77 });
  // Each result is a view of the sender's one buffer, valid until the next call: parse at once.
  const pkts = ([[quiet, false], [loud, true], [loud, true], [quiet, false], [loud, true]] as const).map(([pcm, speech]) => parsed(s.audio(pcm, speech)));
  for (let i = 1; i < pkts.length; i++) {
    assert.equal(pkts[i]!.sequence, (pkts[i - 1]!.sequence + 1) & 0xffff);
    assert.equal(pkts[i]!.timestamp, (pkts[i - 1]!.timestamp + 160) >>> 0);
  }
  assert.deepEqual(pkts.map((p) => p.marker), [false, true, false, false, true]);
  assert.ok(pkts.every((p) => p.ssrc === 77 && p.payloadType === 0 && p.payload.length === 160));
});

test('a held tick advances the timestamp but not the sequence', () => {
  const s = new RtpSender({ encoder: createEncoder(pcmu) });
  const a = parsed(s.audio(loud, true));
  s.skip();
  s.skip();
  const b = parsed(s.audio(loud, true));
  assert.equal(b.sequence, (a.sequence + 1) & 0xffff);
  assert.equal(b.timestamp, (a.timestamp + 3 * 160) >>> 0);
  assert.equal(b.marker, true);
});

test('DTMF: events share SSRC and sequence space, keep their start timestamp, and resolve after the last digit', async () => {
  const s = new RtpSender({ encoder: createEncoder(pcmu), telephoneEventPt: 101, interDigitTicks: 2 });
  const before = parsed(s.audio(loud, true));
  let done = false;
  const p = s.queueDtmf(['4', '#']).then(() => (done = true));
  const out: RtpPacket[] = [];
  for (let i = 0; i < 40 && s.dtmfActive; i++) {
    const d = s.dtmf();
    out.push(parsed(d ?? s.audio(quiet, false)));
  }
  await p;
  assert.equal(done, true);
  assert.equal(s.dtmfActive, false);
  // 7 event packets + 2 gap packets per digit.
  assert.equal(out.length, 18);
  for (let i = 0; i < out.length; i++) assert.equal(out[i]!.sequence, (before.sequence + 1 + i) & 0xffff);
  const events = out.filter((x) => x.payloadType === 101);
  assert.equal(events.length, 14);
  const first = events.slice(0, 7);
  const second = events.slice(7);
  assert.ok(first.every((x) => x.timestamp === (before.timestamp + 160) >>> 0));
  assert.ok(second.every((x) => x.timestamp === (before.timestamp + 160 * 10) >>> 0));
  assert.deepEqual(first.map((x) => x.marker), [true, false, false, false, false, false, false]);
  assert.equal(parseTelephoneEvent(first[0]!.payload)!.event, 4);
  assert.equal(parseTelephoneEvent(second[0]!.payload)!.event, 11);
  assert.ok(out.every((x) => x.ssrc === before.ssrc));
  // Audio after the events takes the clock where it got to and starts a talkspurt.
  const after = parsed(s.audio(loud, true));
  assert.equal(after.timestamp, (before.timestamp + 160 * 19) >>> 0);
  assert.equal(after.marker, true);
});

test('DTMF without a negotiated telephone-event PT is refused; abort rejects pending digits', async () => {
  const none = new RtpSender({ encoder: createEncoder(pcmu) });
  await assert.rejects(none.queueDtmf(['1']), MediaError);
  const s = new RtpSender({ encoder: createEncoder(pcmu), telephoneEventPt: 101 });
  const p = s.queueDtmf(['1', '2']);
  s.dtmf();
  s.abort();
  await assert.rejects(p, MediaError);
  assert.equal(s.dtmfActive, false);
});
