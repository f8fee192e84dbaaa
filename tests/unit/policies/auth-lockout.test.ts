import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthLockout } from '../../../policies/auth-lockout.ts';

test('maxFailures inside the window lock the source for lockoutMs', () => {
  const l = new AuthLockout({ maxFailures: 3, windowMs: 10_000, lockoutMs: 60_000 });
  assert.equal(l.fail('1.2.3.4', 0), false);
  assert.equal(l.fail('1.2.3.4', 1000), false);
  assert.equal(l.isLocked('1.2.3.4', 1000), false);
  assert.equal(l.fail('1.2.3.4', 2000), true);
  assert.equal(l.isLocked('1.2.3.4', 2000), true);
  assert.equal(l.isLocked('5.6.7.8', 2000), false, 'other sources unaffected');
  assert.equal(l.isLocked('1.2.3.4', 62_001), false, 'lock expires');
});

test('failures spread wider than the window do not lock', () => {
  const l = new AuthLockout({ maxFailures: 3, windowMs: 1000, lockoutMs: 60_000 });
  for (let i = 0; i < 10; i++) assert.equal(l.fail('a', i * 2000), false);
});
