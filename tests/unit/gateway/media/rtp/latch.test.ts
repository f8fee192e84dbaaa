import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SourceLatch } from '../../../../../gateway/media/rtp/latch.ts';

test('nothing is accepted before the SDP names the peer', () => {
  const l = new SourceLatch();
  assert.equal(l.accept('192.0.2.1', 4000), false);
  assert.equal(l.target, undefined);
});

test('latches to the first packet from the SDP address, even from another port (NAT), then only that source', () => {
  const l = new SourceLatch();
  l.setRemote('192.0.2.1', 4000);
  assert.deepEqual(l.target, { address: '192.0.2.1', port: 4000 });
  assert.equal(l.accept('198.51.100.9', 4000), false, 'another address never latches');
  assert.equal(l.accept('192.0.2.1', 61000), true);
  assert.deepEqual(l.latched, { address: '192.0.2.1', port: 61000 });
  assert.deepEqual(l.target, { address: '192.0.2.1', port: 61000 }, 'media goes back to the latched source');
  assert.equal(l.accept('192.0.2.1', 4000), false, 'the SDP port is now a stranger too');
  assert.equal(l.accept('::ffff:192.0.2.1', 61000), true, 'IPv4-mapped IPv6 is the same peer');
});

test('a new remote (re-INVITE) unlatches', () => {
  const l = new SourceLatch();
  l.setRemote('192.0.2.1', 4000);
  l.accept('192.0.2.1', 4000);
  l.setRemote('192.0.2.7', 5000);
  assert.equal(l.latched, undefined);
  assert.equal(l.accept('192.0.2.1', 4000), false);
  assert.equal(l.accept('192.0.2.7', 5002), true);
});
