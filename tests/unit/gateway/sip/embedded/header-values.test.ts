import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatNameAddr, formatVia, parseCSeq, parseNameAddr, parseUri, parseVia } from '../../../../../gateway/sip/embedded/header-values.ts';
import { SipParseError } from '../../../../../gateway/sip/embedded/parser.ts';

const is400 = (e: unknown): boolean => e instanceof SipParseError && e.status === 400;

test('parseVia: LWS around slashes, params, rport, branch (RFC 4475 wsinv)', () => {
  const v = parseVia('SIP  /   2.0 /UDP    192.0.2.2;branch=390skdjuw');
  assert.equal(v.protocol, 'SIP/2.0/UDP');
  assert.equal(v.transport, 'UDP');
  assert.equal(v.host, '192.0.2.2');
  assert.equal(v.port, undefined);
  assert.equal(v.branch, '390skdjuw');
  const w = parseVia('SIP/2.0/tcp  spindle.example.com:5061 ;  branch  =   z9hG4bK9ikj8 ; rport;received=10.0.0.1');
  assert.equal(w.transport, 'TCP');
  assert.equal(w.port, 5061);
  assert.equal(w.branch, 'z9hG4bK9ikj8');
  assert.equal(w.rport, true);
  assert.equal(w.params.get('rport'), undefined);
  assert.equal(w.params.get('received'), '10.0.0.1');
});

test('parseVia: IPv6 sent-by and bracketed received (RFC 5118 §4.5)', () => {
  const v = parseVia('SIP/2.0/UDP [2001:db8::9:1]:6050;received=[2001:db8::9:255];branch=z9hG4bKas3');
  assert.equal(v.host, '[2001:db8::9:1]');
  assert.equal(v.port, 6050);
  assert.equal(v.params.get('received'), '[2001:db8::9:255]');
});

test('parseVia rejects garbage with 400', () => {
  for (const bad of ['SIP/2.0/UDP 192.0.2.15;;', '', 'SIP/2.0 host', '/2.0/UDP host', 'SIP/2.0/UDP host:99999', 'SIP/2.0/UDP host:-1', 'SIP/2.0/UDP %s%n', 'SIP/2.0/UDP host;=token']) {
    assert.throws(() => parseVia(bad), is400, bad);
  }
});

test('formatVia round-trips', () => {
  const s = 'SIP/2.0/UDP [::1]:5060;branch=z9hG4bKx;rport';
  assert.equal(formatVia(parseVia(s)), s);
  assert.equal(formatVia({ protocol: '', transport: 'TCP', host: 'h', port: undefined, branch: 'z9hG4bKb', rport: true, params: new Map() }), 'SIP/2.0/TCP h;branch=z9hG4bKb;rport');
});

test('parseNameAddr: quoted display names with escapes, tokens, no-LWS before <', () => {
  const a = parseNameAddr('"J Rosenberg \\\\\\""       <sip:jdrosen@example.com>\t;\ttag = 98asjd8');
  assert.equal(a.displayName, 'J Rosenberg \\"');
  assert.equal(a.uri, 'sip:jdrosen@example.com');
  assert.equal(a.tag, '98asjd8');
  const b = parseNameAddr('token1~` token2\'+_ token3*%!.- <sip:mundane@example.com>;fromParam="x y";tag=_t');
  assert.equal(b.displayName, "token1~` token2'+_ token3*%!.-");
  assert.equal(b.params.get('fromparam'), '"x y"');
  assert.equal(parseNameAddr('caller<sip:caller@example.com>;tag=323').displayName, 'caller');
  assert.equal(parseNameAddr('<sip:a@b>').displayName, undefined);
});

test('parseNameAddr: addr-spec params belong to the header (RFC 4475 cparam01/cparam02)', () => {
  const bare = parseNameAddr('sip:+19725552222@gw1.example.net;unknownparam');
  assert.equal(bare.uri, 'sip:+19725552222@gw1.example.net');
  assert.ok(bare.params.has('unknownparam'));
  const br = parseNameAddr('<sip:+19725552222@gw1.example.net;unknownparam>');
  assert.equal(br.uri, 'sip:+19725552222@gw1.example.net;unknownparam');
  assert.equal(br.params.size, 0);
  assert.equal(parseNameAddr('sip:a@b ;   tag    = 1918181833n').tag, '1918181833n');
});

test('parseNameAddr accepts unknown schemes but rejects malformed values', () => {
  assert.equal(parseNameAddr('isbn:2983792873').uri, 'isbn:2983792873');
  assert.equal(parseNameAddr('<http://www.example.com>;tag=1').tag, '1');
  for (const bad of ['"Mr. J. User <sip:j.user@example.com>', 'Bell, Alexander <sip:a.g.bell@example.com>;tag=43',
    '"Joe" <sip:joe@example.org>;;;;', 'sip:user@example.com?Route=%3Csip:sip.example.com%3E', '<sip:a@b', '', '<>']) {
    assert.throws(() => parseNameAddr(bad), is400, bad);
  }
});

test('formatNameAddr escapes the display name', () => {
  const s = formatNameAddr({ displayName: 'A "B"', uri: 'sip:a@b', params: new Map([['tag', 'x']]) });
  assert.equal(s, '"A \\"B\\"" <sip:a@b>;tag=x');
  assert.equal(parseNameAddr(s).displayName, 'A "B"');
});

test('parseCSeq: leading zeros and LWS; 2^31 limit (RFC 3261 §8.1.1.5)', () => {
  assert.deepEqual(parseCSeq('0009   INVITE'), { seq: 9, method: 'INVITE' });
  assert.deepEqual(parseCSeq('2147483647 BYE'), { seq: 2147483647, method: 'BYE' });
  for (const bad of ['2147483648 INVITE', '36893488147419103232 REGISTER', 'INVITE', '1', '-1 INVITE', '1 IN VITE', '1 INV;ITE']) {
    assert.throws(() => parseCSeq(bad), is400, bad);
  }
});

test('parseUri: user with ;?, password, params, headers', () => {
  const u = parseUri('sip:user;par=u%40example.net@example.com');
  assert.equal(u.user, 'user;par=u%40example.net');
  assert.equal(u.host, 'example.com');
  const v = parseUri('sips:alice:secret@example.com:5061;transport=tcp;lr?Subject=hi&Priority=urgent');
  assert.equal(v.scheme, 'sips');
  assert.equal(v.user, 'alice');
  assert.equal(v.password, 'secret');
  assert.equal(v.port, 5061);
  assert.equal(v.params.get('transport'), 'tcp');
  assert.ok(v.params.has('lr'));
  assert.equal(v.headers.get('Priority'), 'urgent');
});

test('parseUri: IPv6 references (RFC 5118 §4.3/§4.4)', () => {
  const amb = parseUri('sip:[2001:db8::10:5070]');
  assert.equal(amb.host, '[2001:db8::10:5070]');
  assert.equal(amb.port, undefined);
  const un = parseUri('sip:user@[2001:db8::10]:5070;lr');
  assert.equal(un.host, '[2001:db8::10]');
  assert.equal(un.port, 5070);
  assert.equal(parseUri('sip:user@[2001:db8:::192.0.2.1]').host, '[2001:db8:::192.0.2.1]');
  assert.throws(() => parseUri('sip:2001:db8::10'), is400);
});

test('parseUri: tel and opaque schemes, and rejects', () => {
  const t = parseUri('tel:+15551234567;phone-context=example.com');
  assert.equal(t.host, '+15551234567');
  assert.equal(t.params.get('phone-context'), 'example.com');
  assert.equal(parseUri('soap.beep://192.0.2.103:3002').scheme, 'soap.beep');
  for (const bad of ['sip:user@example.com; lr', 'user@example.com', ':x', 'sip:a@b;;lr', 'sip:a%zz@b', 'sip:@b', 'sip:a@', 'sip:a@b:', 'sip:a@b:70000']) {
    assert.throws(() => parseUri(bad), is400, bad);
  }
});
