import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DigestNonces } from '../../../policies/digest-nonces.ts';

test('a nonce is accepted once, then it is a replay', () => {
  const n = new DigestNonces(60);
  const nonce = n.issue(1000);
  assert.equal(n.consume(nonce, 2000), 'ok');
  assert.equal(n.consume(nonce, 2500), 'replayed');
});

test('a nonce expires after its TTL; a forged or foreign one is invalid', () => {
  const n = new DigestNonces(60);
  const nonce = n.issue(1000);
  assert.equal(n.consume(nonce, 1000 + 61_000), 'stale');
  assert.equal(n.consume(nonce.slice(0, -2) + 'AA', 2000), 'invalid');
  assert.equal(n.consume(new DigestNonces(60).issue(1000), 2000), 'invalid', 'another process secret');
  assert.equal(n.consume('nodot', 2000), 'invalid');
});

test('the used set is bounded by expiry', () => {
  const n = new DigestNonces(1, 5);
  for (let i = 0; i < 5; i++) assert.equal(n.consume(n.issue(i * 10), i * 10), 'ok');
  assert.equal(n.consume(n.issue(100), 100), 'stale', 'full: ask for a fresh nonce');
  assert.equal(n.consume(n.issue(5000), 5000), 'ok', 'expired entries were swept');
});
