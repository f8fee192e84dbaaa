import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Headers, canonicalName, isListHeader } from '../../../../../gateway/sip/embedded/headers.ts';

test('canonicalName expands compact forms and normalises known names', () => {
  const cases: [string, string][] = [
    ['i', 'Call-ID'], ['M', 'Contact'], ['e', 'Content-Encoding'], ['l', 'Content-Length'], ['c', 'Content-Type'],
    ['f', 'From'], ['s', 'Subject'], ['k', 'Supported'], ['t', 'To'], ['v', 'Via'], ['o', 'Event'], ['r', 'Refer-To'],
    ['b', 'Referred-By'], ['x', 'Session-Expires'], ['u', 'Allow-Events'], ['a', 'Accept-Contact'],
    ['j', 'Reject-Contact'], ['d', 'Request-Disposition'], ['y', 'Identity'], ['n', 'Identity-Info'],
    ['call-id', 'Call-ID'], ['CSEQ', 'CSeq'], ['www-authenticate', 'WWW-Authenticate'], ['MaX-fOrWaRdS', 'Max-Forwards'],
  ];
  for (const [input, want] of cases) assert.equal(canonicalName(input), want, input);
  assert.equal(canonicalName('X-Custom-Thing'), 'X-Custom-Thing');
});

test('lookups are case-insensitive and compact names alias long ones', () => {
  const h = new Headers();
  h.append('v', 'SIP/2.0/UDP a;branch=z9hG4bK1');
  h.append('VIA', 'SIP/2.0/UDP b;branch=z9hG4bK2');
  assert.deepEqual(h.getAll('via'), ['SIP/2.0/UDP a;branch=z9hG4bK1', 'SIP/2.0/UDP b;branch=z9hG4bK2']);
  assert.equal(h.get('Via'), 'SIP/2.0/UDP a;branch=z9hG4bK1');
  assert.ok(h.has('v'));
  assert.deepEqual([...h.entries()].map(([n]) => n), ['Via']);
});

test('list headers split on top-level commas only', () => {
  const h = new Headers();
  h.append('Contact', '"Bell, Alexander" <sip:a@x;p=1,2>, <sip:b@y>;q=0.5');
  assert.deepEqual(h.getAll('Contact'), ['"Bell, Alexander" <sip:a@x;p=1,2>', '<sip:b@y>;q=0.5']);
  h.append('Via', 'SIP/2.0/TCP a;branch=z9hG4bK1 ,SIP/2.0/UDP b;branch=z9hG4bK2');
  assert.equal(h.count('Via'), 2);
});

test('headers whose values may hold commas are never split', () => {
  const h = new Headers();
  h.append('Authorization', 'Digest username="a", realm="b", nonce="c"');
  h.append('Date', 'Sat, 13 Nov 2010 23:29:00 GMT');
  h.append('Retry-After', '18000 (back at 5, promise)');
  h.append('Call-ID', 'weird"<,>@host');
  h.append('X-Unknown', 'a, b');
  for (const n of ['Authorization', 'Date', 'Retry-After', 'Call-ID', 'X-Unknown']) assert.equal(h.getAll(n).length, 1, n);
  assert.equal(isListHeader('WWW-Authenticate'), false);
  assert.equal(isListHeader('k'), true);
});

test('empty values are kept (an empty Accept means "nothing acceptable", RFC 3261 §20.1)', () => {
  const h = new Headers([['Accept', ''], ['s', '']]);
  assert.deepEqual(h.getAll('Accept'), ['']);
  assert.ok(h.has('Subject'));
});

test('set replaces, delete removes, getAll returns a copy', () => {
  const h = new Headers([['To', '<sip:a@b>']]);
  h.set('t', ['<sip:c@d>']);
  assert.deepEqual(h.getAll('To'), ['<sip:c@d>']);
  h.getAll('To').push('x');
  assert.equal(h.count('To'), 1);
  h.delete('TO');
  assert.equal(h.has('To'), false);
  assert.equal(h.get('To'), undefined);
  const c = new Headers([['Route', '<sip:a>, <sip:b>']]).clone();
  assert.deepEqual(c.getAll('Route'), ['<sip:a>', '<sip:b>']);
});
