import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SourceLatch } from '../../../../../gateway/media/rtp/latch.ts';

test('during the learning window the peer may move port or SSRC on its own address; after it, no (RTP bleed)', () => {
  const l = new SourceLatch({ windowMs: 2000 });
  l.setRemote('192.0.2.1', 4000);
  assert.equal(l.accept('192.0.2.1', 4000, 0xaaaa, 1000), true);
  assert.equal(l.ssrc, 0xaaaa);
  assert.equal(l.accept('192.0.2.1', 4002, 0xbbbb, 2500), true, 'NAT rebinding + new SSRC inside the window');
  assert.deepEqual(l.latched, { address: '192.0.2.1', port: 4002 });
  assert.equal(l.accept('198.51.100.9', 4002, 0xbbbb, 2600), false, 'never another address');
  // Window closed (3000 ms after the first packet).
  assert.equal(l.accept('192.0.2.1', 4002, 0xbbbb, 3500), true);
  assert.equal(l.accept('192.0.2.1', 4002, 0xcccc, 3600), false, 'another SSRC from the latched source is ignored');
  assert.equal(l.accept('192.0.2.1', 4004, 0xbbbb, 3700), false, 'another port is ignored');
  assert.deepEqual(l.target, { address: '192.0.2.1', port: 4002 }, 'our media does not follow an intruder');
});

test('a re-INVITE (setRemote) opens a new window', () => {
  const l = new SourceLatch({ windowMs: 100 });
  l.setRemote('192.0.2.1', 4000);
  l.accept('192.0.2.1', 4000, 1, 0);
  assert.equal(l.accept('192.0.2.1', 4000, 2, 500), false);
  l.setRemote('192.0.2.1', 4000);
  assert.equal(l.accept('192.0.2.1', 4000, 2, 600), true);
  assert.equal(l.ssrc, 2);
});
