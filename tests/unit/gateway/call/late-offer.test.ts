import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSdp } from '../../../../gateway/sip/sdp.ts';
import { acceptAnswer, isAnswerFailure } from '../../../../gateway/call/late-offer.ts';
import { offerSdp, planLateOffer, type LateOfferPlan } from '../../../../gateway/call/media-plan.ts';

const LOCAL = { address: '192.0.2.10', port: 20000, sessionId: '7', version: 1, direction: 'sendrecv' as const };

function plan(prefs: Parameters<typeof planLateOffer>[0] = ['opus', 'G722', 'PCMU', 'PCMA']): LateOfferPlan {
  const p = planLateOffer(prefs, { rate: 16000, complexity: 5, bitrateKbps: 24 });
  assert.ok(!('error' in p));
  return p;
}

const answer = (mline: string, extra: string[] = [], c = '198.51.100.7') =>
  ['v=0', 'o=caller 9 9 IN IP4 198.51.100.7', 's=-', `c=IN IP4 ${c}`, 't=0 0', mline, ...extra, ''].join('\r\n');

test('an empty offer plans our offer: every configured codec in config order, opus fmtp, telephone-event per clock', () => {
  const sdp = offerSdp(plan(), LOCAL);
  const m = parseSdp(sdp).media[0]!;
  assert.equal(m.port, 20000);
  // opus 111, G722 9, PCMU 0, PCMA 8, then telephone-event at 48000 (101) and at 8000 (next free dynamic).
  assert.deepEqual(m.payloadTypes.slice(0, 4), [111, 9, 0, 8]);
  assert.equal(m.rtpmap.get(111)?.encoding, 'opus');
  assert.match(m.fmtp.get(111) ?? '', /maxplaybackrate=16000/);
  const events = [...m.rtpmap.values()].filter((r) => r.encoding === 'telephone-event').map((r) => r.clockRate).sort();
  assert.deepEqual(events, [48000, 8000].sort());
  assert.equal(m.effectiveDirection, 'sendrecv');
  assert.match(sdp, /^c=IN IP4 192\.0\.2\.10\r$/m);
});

test('the configured order decides the offer, codecs we do not implement are left out', () => {
  const p = planLateOffer(['PCMA', 'PCMU'], undefined);
  assert.ok(!('error' in p));
  assert.deepEqual(p.codecs.map((c) => c.name), ['PCMA', 'PCMU']);
  assert.match(offerSdp(p, LOCAL), /m=audio 20000 RTP\/AVP 8 0 101\r\n/);
});

test('the answer picks the first of OUR codecs it kept, with its address, port and telephone-event', () => {
  // The answer lists PCMA before PCMU: our preference (PCMU before PCMA) still decides, RFC 3264 §6.1.
  const a = answer('m=audio 40000 RTP/AVP 8 0 96', ['a=rtpmap:96 telephone-event/8000', 'a=fmtp:96 0-16', 'a=sendrecv']);
  const r = acceptAnswer(a, plan());
  assert.ok(!isAnswerFailure(r));
  assert.equal(r.codec.name, 'PCMU');
  assert.equal(r.codec.payloadType, 0);
  assert.deepEqual([r.remote.address, r.remote.port], ['198.51.100.7', 40000]);
  assert.equal(r.telephoneEvent?.payloadType, 96);
  assert.equal(r.direction, 'sendrecv');
});

test('an opus answer keeps opus with its rate capped by the answer fmtp; a wideband answer is G.722', () => {
  const o = acceptAnswer(answer('m=audio 40000 RTP/AVP 111', ['a=rtpmap:111 opus/48000/2', 'a=fmtp:111 maxplaybackrate=8000;sprop-maxcapturerate=8000']), plan());
  assert.ok(!isAnswerFailure(o));
  assert.equal(o.codec.name, 'opus');
  assert.equal(o.codec.sampleRate, 8000);
  const g = acceptAnswer(answer('m=audio 40000 RTP/AVP 9'), plan());
  assert.ok(!isAnswerFailure(g));
  assert.equal(g.codec.name, 'G722');
});

test('an answer that holds (recvonly) makes us send only', () => {
  const r = acceptAnswer(answer('m=audio 40000 RTP/AVP 0', ['a=recvonly']), plan());
  assert.ok(!isAnswerFailure(r));
  assert.equal(r.direction, 'sendonly');
});

test('unusable answers: no SDP in the ACK, port 0, no common codec, malformed', () => {
  const p = plan(['PCMU', 'PCMA']);
  assert.deepEqual(acceptAnswer(undefined, p), { error: true, problem: 'no-answer' });
  assert.deepEqual(acceptAnswer('  \r\n', p), { error: true, problem: 'no-answer' });
  assert.deepEqual(acceptAnswer(answer('m=audio 0 RTP/AVP 0'), p), { error: true, problem: 'no-common-codec' });
  assert.deepEqual(acceptAnswer(answer('m=audio 40000 RTP/AVP 18', ['a=rtpmap:18 G729/8000']), p), { error: true, problem: 'no-common-codec' });
  // A codec we did not offer does not count even if we implement it (PCMA absent from a PCMU-only offer).
  assert.deepEqual(acceptAnswer(answer('m=audio 40000 RTP/AVP 8'), plan(['PCMU'])), { error: true, problem: 'no-common-codec' });
  assert.deepEqual(acceptAnswer('v=0\r\nthis is not sdp\r\n', p), { error: true, problem: 'malformed-answer' });
});
