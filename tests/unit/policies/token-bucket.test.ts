import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBuckets } from '../../../policies/token-bucket.ts';

test('a burst is allowed, then the rate', () => {
  const b = new TokenBuckets({ ratePerSec: 2, burst: 3 });
  assert.deepEqual([1, 2, 3, 4].map(() => b.take('a', 0)), [true, true, true, false]);
  assert.equal(b.take('a', 400), false, '0.8 token after 400 ms');
  assert.equal(b.take('a', 500), true, 'one token after 500 ms at 2/s');
  assert.equal(b.take('b', 500), true, 'keys are independent');
  assert.equal(b.retryAfterSec('a', 500), 1);
});

test('rate 0 means unlimited', () => {
  const b = new TokenBuckets({ ratePerSec: 0, burst: 1 });
  for (let i = 0; i < 100; i++) assert.equal(b.take('x', 0), true);
  assert.equal(b.size, 0);
});

test('the table is bounded; idle (full) buckets go first', () => {
  const b = new TokenBuckets({ ratePerSec: 1, burst: 2 }, 3);
  b.take('busy', 0);
  b.take('busy', 0);
  b.take('idle1', 0);
  b.take('idle2', 0);
  b.take('new', 5000); // idle ones have refilled: forgotten, busy one kept (it refilled too by now)
  assert.ok(b.size <= 3);
  for (let i = 0; i < 100; i++) b.take(`k${i}`, 6000 + i);
  assert.ok(b.size <= 3, `size ${b.size}`);
});
