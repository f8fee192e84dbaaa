import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSipfragStatus, sipfragBody } from '../../../../../gateway/sip/embedded/sipfrag.ts';
import { parseEvent } from '../../../../../gateway/sip/embedded/dialog-refer.ts';

test('sipfrag status line (RFC 3420), with or without CRLF and trailing headers', () => {
  const T = 'message/sipfrag;version=2.0';
  assert.equal(parseSipfragStatus(T, Buffer.from('SIP/2.0 100 Trying\r\n')), 100);
  assert.equal(parseSipfragStatus('Message/SipFrag', Buffer.from('SIP/2.0 200 OK')), 200);
  assert.equal(parseSipfragStatus(T, Buffer.from('SIP/2.0 486 Busy Here\r\nContact: <sip:x@y>\r\n')), 486);
  assert.equal(parseSipfragStatus(T, Buffer.from('SIP/2.0 603\n')), 603);
  assert.equal(parseSipfragStatus('text/plain', Buffer.from('SIP/2.0 200 OK')), undefined);
  assert.equal(parseSipfragStatus(undefined, Buffer.from('SIP/2.0 200 OK')), undefined);
  assert.equal(parseSipfragStatus(T, Buffer.from('INVITE sip:a@b SIP/2.0')), undefined);
  assert.equal(parseSipfragStatus(T, Buffer.from('SIP/2.0 999 Nope')), undefined);
  assert.equal(parseSipfragStatus(T, Buffer.from('SIP/2.0 2000 OK')), undefined);
  assert.equal(sipfragBody(503, 'Service Unavailable').toString(), 'SIP/2.0 503 Service Unavailable\r\n');
});

test('Event header: package and id (RFC 6665 §8.2.1)', () => {
  assert.deepEqual(parseEvent('refer;id=93809824'), { pkg: 'refer', id: '93809824' });
  assert.deepEqual(parseEvent('Refer'), { pkg: 'refer', id: undefined });
  assert.deepEqual(parseEvent('refer ; ID = 7'), { pkg: 'refer', id: '7' });
  assert.equal(parseEvent(undefined), undefined);
  assert.equal(parseEvent(''), undefined);
});
