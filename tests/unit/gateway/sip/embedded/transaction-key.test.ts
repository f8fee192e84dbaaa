import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from '../../../../../gateway/sip/embedded/parser.ts';
import { serverKey, clientKey } from '../../../../../gateway/sip/embedded/transaction-key.ts';
import { stampVia } from '../../../../../gateway/sip/embedded/via-stamp.ts';
import type { SipRequest } from '../../../../../gateway/sip/embedded/message.ts';

function req(method: string, via: string, cseq = '1', toTag = ''): SipRequest {
  const text = `${method} sip:bob@192.0.2.1 SIP/2.0\r\nVia: ${via}\r\nFrom: <sip:a@x>;tag=f1\r\nTo: <sip:bob@192.0.2.1>${toTag}\r\n` +
    `Call-ID: c1\r\nCSeq: ${cseq} ${method}\r\nContent-Length: 0\r\n\r\n`;
  return parseMessage(Buffer.from(text)) as SipRequest;
}

test('RFC 3261 branch: ACK and CANCEL match their INVITE; other branches, hosts or methods do not (§17.2.3)', () => {
  const via = 'SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKabc';
  const invite = serverKey(req('INVITE', via));
  assert.equal(serverKey(req('ACK', via, '1', ';tag=t'), 'INVITE'), invite);
  assert.equal(serverKey(req('CANCEL', via), 'INVITE'), invite);
  assert.notEqual(serverKey(req('CANCEL', via)), invite);
  assert.notEqual(serverKey(req('INVITE', 'SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKabd')), invite);
  assert.notEqual(serverKey(req('INVITE', 'SIP/2.0/UDP 192.0.2.11:5060;branch=z9hG4bKabc')), invite);
});

test('RFC 2543 fallback (no magic cookie): matched on Request-URI, From tag, Call-ID, CSeq number and top Via', () => {
  const via = 'SIP/2.0/UDP 192.0.2.10:5060;branch=old1';
  const invite = serverKey(req('INVITE', via, '7'));
  assert.ok(invite?.startsWith('2543|'));
  assert.equal(serverKey(req('ACK', via, '7', ';tag=ours'), 'INVITE'), invite);
  assert.notEqual(serverKey(req('INVITE', via, '8')), invite);
  assert.equal(serverKey(req('INVITE', 'SIP/2.0/UDP 192.0.2.10:5060')), serverKey(req('INVITE', 'SIP/2.0/UDP 192.0.2.10:5060')));
});

test('client key: branch and CSeq method', () => {
  assert.equal(clientKey(req('BYE', 'SIP/2.0/UDP h;branch=z9hG4bKq')), 'z9hG4bKq|BYE');
});

test('stampVia adds received when sent-by differs, and rport value when asked (RFC 3581)', () => {
  const a = req('OPTIONS', 'SIP/2.0/UDP pc.example.com:5060;branch=z9hG4bKx;rport');
  stampVia(a, { address: '127.0.0.1', port: 40000, transport: 'udp' });
  assert.equal(a.headers.get('Via'), 'SIP/2.0/UDP pc.example.com:5060;branch=z9hG4bKx;rport=40000;received=127.0.0.1');
  const b = req('OPTIONS', 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKy');
  stampVia(b, { address: '127.0.0.1', port: 5060, transport: 'udp' });
  assert.equal(b.headers.get('Via'), 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKy');
  const c = req('OPTIONS', 'SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKz');
  stampVia(c, { address: '127.0.0.1', port: 5060, transport: 'udp' });
  assert.equal(c.headers.get('Via'), 'SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKz;received=127.0.0.1');
});
