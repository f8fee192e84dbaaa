import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  SdpError,
  buildAnswer,
  buildOffer,
  isNegotiationFailure,
  negotiate,
  parseSdp,
} from '../../../../gateway/sip/sdp.ts';
import type { Negotiated, NegotiationFailure } from '../../../../gateway/sip/sdp.ts';
import { CODECS } from '../../../../codecs/index.ts';

const crlf = (lines: string[]): string => lines.join('\r\n') + '\r\n';

/** SIPp's built-in `uac` scenario offer (`sipp -sd uac`), filled in as SIPp sends it. */
const SIPP_UAC = crlf([
  'v=0',
  'o=user1 53655765 2353687637 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 6000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
]);

/** SIPp's `uac_pcap` offer: PCMA plus events 0-11,16. LF-only line ends, as some stacks send. */
const SIPP_PCAP = [
  'v=0',
  'o=user1 53655765 2353687637 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 6002 RTP/AVP 8 101',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-11,16',
  '',
].join('\n');

/** Like baresip's default offer: opus first, G722, G.711, events at 48000 and 8000, a video line. */
function baresip(direction = 'sendrecv', address = '192.0.2.10'): string {
  return crlf([
    'v=0',
    'o=- 1736526431 1736526432 IN IP4 192.0.2.10',
    's=-',
    `c=IN IP4 ${address}`,
    't=0 0',
    'm=audio 10000 RTP/AVP 96 9 0 8 101 102',
    'b=AS:128',
    'a=rtpmap:96 opus/48000/2',
    'a=fmtp:96 stereo=1;sprop-stereo=1',
    'a=rtpmap:9 G722/8000',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/48000',
    'a=rtpmap:102 telephone-event/8000',
    'a=fmtp:101 0-15',
    'a=fmtp:102 0-15',
    'a=rtcp:10005',
    'a=x-baresip-unknown:whatever',
    `a=${direction}`,
    'a=label:1',
    'm=video 10002 RTP/AVP 97',
    'a=rtpmap:97 H264/90000',
  ]);
}

function ok(r: Negotiated | NegotiationFailure): Negotiated {
  if (isNegotiationFailure(r)) assert.fail(`negotiation failed: ${r.error} ${r.reason}`);
  return r;
}

function fail(r: Negotiated | NegotiationFailure): NegotiationFailure {
  if (!isNegotiationFailure(r)) assert.fail(`expected a failure, got ${r.codec.name}`);
  return r;
}

const LOCAL = { address: '127.0.0.1', port: 40000, sessionId: '4242', version: 1, direction: 'sendrecv' } as const;

describe('parseSdp', () => {
  test('parses origin, connection, media, rtpmap, fmtp, ptime, rtcp and direction', () => {
    const s = parseSdp(baresip('sendonly'));
    assert.deepEqual(s.origin, {
      username: '-',
      sessionId: '1736526431',
      sessionVersion: '1736526432',
      addrType: 'IP4',
      address: '192.0.2.10',
    });
    assert.equal(s.media.length, 2);
    const a = s.media[0]!;
    assert.equal(a.type, 'audio');
    assert.equal(a.port, 10000);
    assert.equal(a.proto, 'RTP/AVP');
    assert.deepEqual(a.payloadTypes, [96, 9, 0, 8, 101, 102]);
    assert.deepEqual(a.rtpmap.get(96), { payloadType: 96, encoding: 'opus', clockRate: 48000, channels: 2 });
    assert.equal(a.rtpmap.get(9)?.channels, 1);
    assert.equal(a.fmtp.get(96), 'stereo=1;sprop-stereo=1');
    assert.deepEqual(a.rtcp, { port: 10005, connection: undefined });
    assert.equal(a.direction, 'sendonly');
    assert.equal(a.effectiveConnection?.address, '192.0.2.10');
    assert.ok(a.attributes.some((x) => x.name === 'x-baresip-unknown'));
    assert.equal(s.media[1]!.effectiveDirection, 'sendrecv');
  });

  test('media-level c= and direction override the session level; IPv6 addresses', () => {
    const s = parseSdp(
      crlf([
        'v=0',
        'o=- 1 2 IN IP6 2001:db8::1',
        's=-',
        'c=IN IP6 2001:db8::1',
        'a=recvonly',
        't=0 0',
        'm=audio 5004 RTP/AVP 0',
        'c=IN IP4 198.51.100.7/127',
        'a=ptime:30',
        'a=maxptime:60',
        'm=audio 5006 RTP/AVP 8',
        'a=inactive',
      ]),
    );
    assert.equal(s.direction, 'recvonly');
    assert.deepEqual(s.connection, { addrType: 'IP6', address: '2001:db8::1' });
    assert.deepEqual(s.media[0]!.effectiveConnection, { addrType: 'IP4', address: '198.51.100.7' });
    assert.equal(s.media[0]!.effectiveDirection, 'recvonly');
    assert.equal(s.media[0]!.ptime, 30);
    assert.equal(s.media[0]!.maxptime, 60);
    assert.equal(s.media[1]!.effectiveDirection, 'inactive');
    assert.equal(s.media[1]!.effectiveConnection?.address, '2001:db8::1');
  });

  test('malformed SDP throws SdpError with the line number', () => {
    const cases: [string, RegExp][] = [
      ['', /empty/],
      ['o=- 1 1 IN IP4 1.2.3.4\r\n', /v=0/],
      ['v=0\r\ns=-\r\n', /missing o=/],
      ['v=0\r\no=- 1 1 IN IP4\r\n', /origin/],
      ['v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio 70000 RTP/AVP 0\r\n', /port/],
      ['v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio 5000 RTP/AVP\r\n', /media line/],
      ['v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nc=IN IPX 1.2.3.4\r\n', /connection/],
      ['v=0\r\nthis is not sdp\r\n', /type/],
    ];
    for (const [text, msg] of cases) {
      assert.throws(() => parseSdp(text), (e: unknown) => e instanceof SdpError && msg.test(e.message) && e.sipStatus === 400, text);
    }
    assert.throws(() => parseSdp('v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio x RTP/AVP 0\r\n'), (e: unknown) => e instanceof SdpError && e.line === 3);
  });
});

describe('negotiate', () => {
  test("SIPp's default PCMU offer", () => {
    const n = ok(negotiate(SIPP_UAC, ['PCMU', 'PCMA']));
    assert.equal(n.codec, CODECS.PCMU);
    assert.deepEqual(n.remote, { address: '127.0.0.1', port: 6000, rtcpAddress: '127.0.0.1', rtcpPort: 6001 });
    assert.equal(n.telephoneEvent, undefined);
    assert.equal(n.hold, false);
    assert.equal(n.direction, 'sendrecv');
    assert.equal(n.ptime, 20);
  });

  test('SIPp PCMA offer with LF line ends keeps its telephone-event PT', () => {
    const n = ok(negotiate(SIPP_PCAP, ['PCMU', 'PCMA']));
    assert.equal(n.codec.name, 'PCMA');
    assert.equal(n.codec.payloadType, 8);
    assert.deepEqual(n.telephoneEvent, { payloadType: 101, clockRate: 8000, fmtp: '0-11,16' });
  });

  test('baresip offer: our preference order wins; events follow the chosen codec\'s clock', () => {
    const n = ok(negotiate(baresip(), ['opus', 'G722', 'PCMA', 'PCMU']));
    assert.equal(n.codec.name, 'opus');
    assert.equal(n.codec.payloadType, 96);
    assert.equal(n.codec.clockRate, 48000);
    assert.equal(n.codec.sampleRate, 16000, 'internal rate 16 kHz, no 48 kHz hop');
    assert.equal(n.codec.opus?.peerWantsStereo, true, 'stereo=1 read (we still decode mono)');
    assert.equal(n.mediaIndex, 0);
    assert.equal(n.remote.rtcpPort, 10005);
    // RFC 4733 §2.1: telephone-event at the audio clock — 48000 for opus, 8000 for G.722 and G.711.
    assert.deepEqual(n.telephoneEvent, { payloadType: 101, clockRate: 48000, fmtp: '0-15' });
    const g722 = ok(negotiate(baresip(), ['G722', 'opus', 'PCMU']));
    assert.equal(g722.codec.name, 'G722');
    assert.equal(g722.codec.clockRate, 8000);
    assert.equal(g722.codec.sampleRate, 16000);
    assert.deepEqual(g722.telephoneEvent, { payloadType: 102, clockRate: 8000, fmtp: '0-15' });
    const pcma = ok(negotiate(baresip(), ['PCMA', 'PCMU']));
    assert.equal(pcma.codec.name, 'PCMA');
    assert.deepEqual(pcma.telephoneEvent, { payloadType: 102, clockRate: 8000, fmtp: '0-15' });
    assert.equal(ok(negotiate(baresip(), ['PCMU', 'PCMA'])).codec.name, 'PCMU');
    const swb = ok(negotiate(baresip(), ['opus'], { opus: { sampleRate: 24000, complexity: 5, bitrate: 32000 } }));
    assert.equal(swb.codec.sampleRate, 24000);
  });

  test('answers: G722/8000 and opus/48000/2 with our fmtp and 48 kHz events', () => {
    const opus = buildAnswer(ok(negotiate(baresip(), ['opus'])), LOCAL);
    assert.match(opus, /^m=audio \d+ RTP\/AVP 96 101\r$/m);
    assert.match(opus, /^a=rtpmap:96 opus\/48000\/2\r$/m);
    assert.match(opus, /^a=fmtp:96 .*maxplaybackrate=16000.*\r$/m);
    assert.match(opus, /^a=fmtp:96 .*sprop-maxcapturerate=16000.*\r$/m);
    assert.match(opus, /^a=fmtp:96 .*stereo=0.*\r$/m);
    assert.match(opus, /^a=rtpmap:101 telephone-event\/48000\r$/m);
    const g722 = buildAnswer(ok(negotiate(baresip(), ['G722'])), LOCAL);
    assert.match(g722, /^m=audio \d+ RTP\/AVP 9 102\r$/m);
    assert.match(g722, /^a=rtpmap:9 G722\/8000\r$/m);
    assert.match(g722, /^a=rtpmap:102 telephone-event\/8000\r$/m);
  });

  test('dynamic payload types are matched by rtpmap name and clock', () => {
    const offer = crlf([
      'v=0',
      'o=- 1 1 IN IP4 10.0.0.1',
      's=-',
      'c=IN IP4 10.0.0.1',
      't=0 0',
      'm=audio 7000 RTP/AVP 112 113 100',
      'a=rtpmap:112 pcmu/16000',
      'a=rtpmap:113 PCMU/8000',
      'a=rtpmap:100 telephone-event/8000',
    ]);
    const n = ok(negotiate(offer, ['PCMU']));
    assert.equal(n.codec.payloadType, 113);
    assert.equal(n.telephoneEvent?.payloadType, 100);
  });

  test('488 when only G729 is offered, for no audio, and for rejected or SRTP-only audio', () => {
    const g729 = SIPP_UAC.replace('RTP/AVP 0', 'RTP/AVP 18').replace('a=rtpmap:0 PCMU/8000', 'a=rtpmap:18 G729/8000');
    assert.deepEqual(fail(negotiate(g729, ['PCMU', 'PCMA'])), { error: 488, reason: 'no common audio codec' });
    assert.equal(fail(negotiate(baresip().replace(/ 96 9 0 8 /, ' 18 ').replace(/a=rtpmap:(96|9|0|8) .*\r\n/g, ''), ['opus', 'G722', 'PCMU'])).error, 488, 'nothing in common');
    assert.equal(fail(negotiate(SIPP_UAC.replace('m=audio 6000', 'm=audio 0'), ['PCMU'])).error, 488);
    assert.equal(fail(negotiate(SIPP_UAC.replace('m=audio', 'm=video'), ['PCMU'])).error, 488);
    assert.equal(fail(negotiate(SIPP_UAC.replace('RTP/AVP', 'RTP/SAVP'), ['PCMU'])).error, 488);
  });

  test('400 for malformed SDP or an audio stream without any c=', () => {
    assert.deepEqual(fail(negotiate('garbage', ['PCMU'])), { error: 400, reason: 'malformed SDP offer' });
    assert.equal(fail(negotiate(SIPP_UAC.replace('c=IN IP4 127.0.0.1\r\n', ''), ['PCMU'])).error, 400);
  });

  test('hold and resume: sendonly, inactive, c=0.0.0.0 (RFC 2543), then sendrecv', () => {
    const sendonly = ok(negotiate(baresip('sendonly'), ['PCMU']));
    assert.equal(sendonly.hold, true);
    assert.equal(sendonly.direction, 'recvonly');
    const inactive = ok(negotiate(baresip('inactive'), ['PCMU']));
    assert.equal(inactive.hold, true);
    assert.equal(inactive.direction, 'inactive');
    const legacy = ok(negotiate(baresip('sendrecv', '0.0.0.0'), ['PCMU']));
    assert.equal(legacy.hold, true);
    assert.equal(legacy.direction, 'recvonly', 'never send to 0.0.0.0');
    const recvonly = ok(negotiate(baresip('recvonly'), ['PCMU']));
    assert.equal(recvonly.hold, false);
    assert.equal(recvonly.direction, 'sendonly');
    const resumed = ok(negotiate(baresip('sendrecv'), ['PCMU']));
    assert.equal(resumed.hold, false);
    assert.equal(resumed.direction, 'sendrecv');
  });

  test('session-level a=sendonly applies to media without its own attribute', () => {
    const offer = SIPP_UAC.replace('t=0 0\r\n', 't=0 0\r\na=sendonly\r\n');
    assert.equal(ok(negotiate(offer, ['PCMU'])).hold, true);
  });

  test('ptime from the offer', () => {
    assert.equal(ok(negotiate(SIPP_UAC + 'a=ptime:30\r\n', ['PCMU'])).ptime, 30);
  });
});

describe('buildAnswer / buildOffer', () => {
  test('answer to baresip: one audio line, same event PT, other m= lines rejected in place', () => {
    const n = ok(negotiate(baresip(), ['PCMU']));
    const sdp = buildAnswer(n, LOCAL);
    assert.ok(sdp.endsWith('\r\n') && !/[^\r]\n/.test(sdp), 'CRLF line ends');
    assert.equal(
      sdp,
      crlf([
        'v=0',
        'o=trunkline 4242 1 IN IP4 127.0.0.1',
        's=trunkline',
        'c=IN IP4 127.0.0.1',
        't=0 0',
        'm=audio 40000 RTP/AVP 0 102',
        'a=rtpmap:0 PCMU/8000',
        'a=rtpmap:102 telephone-event/8000',
        'a=fmtp:102 0-16',
        'a=ptime:20',
        'a=sendrecv',
        'm=video 0 RTP/AVP 97',
      ]),
    );
  });

  test('the answer round-trips through the parser and negotiates to the same codec', () => {
    const n = ok(negotiate(SIPP_PCAP, ['PCMA']));
    const answer = buildAnswer(n, { ...LOCAL, version: 7 });
    const parsed = parseSdp(answer);
    assert.equal(parsed.origin.sessionVersion, '7');
    assert.equal(parsed.media.length, 1);
    assert.deepEqual(parsed.media[0]!.payloadTypes, [8, 101]);
    assert.equal(parsed.media[0]!.fmtp.get(101), '0-16');
    assert.equal(parsed.media[0]!.ptime, 20);
    const again = ok(negotiate(answer, ['PCMA']));
    assert.equal(again.codec.payloadType, 8);
    assert.deepEqual(again.remote, { address: '127.0.0.1', port: 40000, rtcpAddress: '127.0.0.1', rtcpPort: 40001 });
  });

  test('answer direction mirrors the offer and never exceeds what we want', () => {
    const dirOf = (offerDir: string, ours: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive'): string | undefined =>
      parseSdp(buildAnswer(ok(negotiate(baresip(offerDir), ['PCMU'])), { ...LOCAL, direction: ours })).media[0]!.direction;
    assert.equal(dirOf('sendonly', 'sendrecv'), 'recvonly');
    assert.equal(dirOf('inactive', 'sendrecv'), 'inactive');
    assert.equal(dirOf('recvonly', 'sendrecv'), 'sendonly');
    assert.equal(dirOf('sendrecv', 'sendrecv'), 'sendrecv');
    assert.equal(dirOf('sendrecv', 'sendonly'), 'sendonly', 'we hold them');
    assert.equal(dirOf('sendonly', 'sendonly'), 'inactive');
  });

  test('IPv6 local address and opus rtpmap with channels', () => {
    const offer = crlf([
      'v=0',
      'o=- 1 1 IN IP6 ::1',
      's=-',
      'c=IN IP6 ::1',
      't=0 0',
      'm=audio 9000 RTP/AVP 0',
    ]);
    const answer = buildAnswer(ok(negotiate(offer, ['PCMU'])), { ...LOCAL, address: '::1' });
    assert.match(answer, /^o=trunkline 4242 1 IN IP6 ::1\r$/m);
    assert.match(answer, /^c=IN IP6 ::1\r$/m);
    const opusOffer = buildOffer(LOCAL, { codecs: [{ ...CODECS.opus, payloadType: 96 }], telephoneEventPt: false });
    assert.match(opusOffer, /^a=rtpmap:96 opus\/48000\/2\r$/m);
  });

  test('an offer with opus and G.711 carries telephone-event at both clocks', () => {
    const sdp = buildOffer(LOCAL, { codecs: [{ ...CODECS.opus, payloadType: 111 }, CODECS.G722, CODECS.PCMU] });
    const m = parseSdp(sdp).media[0]!;
    assert.deepEqual(m.payloadTypes, [111, 9, 0, 101, 96]);
    assert.deepEqual(m.rtpmap.get(101), { payloadType: 101, encoding: 'telephone-event', clockRate: 48000, channels: 1 });
    assert.deepEqual(m.rtpmap.get(96), { payloadType: 96, encoding: 'telephone-event', clockRate: 8000, channels: 1 });
    assert.match(m.fmtp.get(111) ?? '', /useinbandfec=1/, 'we decode in-band FEC, so we ask for it');
    assert.equal(ok(negotiate(sdp, ['G722'])).telephoneEvent?.payloadType, 96);
    assert.equal(ok(negotiate(sdp, ['opus'])).telephoneEvent?.payloadType, 101);
  });

  test('offer for an offer-less re-INVITE lists our codecs and events, and negotiates', () => {
    const sdp = buildOffer({ ...LOCAL, version: 2 }, { codecs: [CODECS.PCMA, CODECS.PCMU] });
    const m = parseSdp(sdp).media[0]!;
    assert.deepEqual(m.payloadTypes, [8, 0, 101]);
    assert.equal(m.rtpmap.get(101)?.encoding, 'telephone-event');
    assert.equal(m.effectiveDirection, 'sendrecv');
    const n = ok(negotiate(sdp, ['PCMU', 'PCMA']));
    assert.equal(n.codec.name, 'PCMU');
    assert.equal(n.telephoneEvent?.payloadType, 101);
    assert.throws(() => buildOffer(LOCAL, { codecs: [] }), RangeError);
  });
});
