import assert from 'node:assert/strict';
import { test } from 'node:test';
import { median, percentile, percentileSorted, round, summarize } from '../../../../bench/lib/stats.ts';

test('percentile interpolates between closest ranks (R-7)', () => {
  assert.equal(percentile([1, 2, 3, 4], 50), 2.5);
  assert.equal(percentile([4, 1, 3, 2], 0), 1);
  assert.equal(percentile([4, 1, 3, 2], 100), 4);
  // rank = 0.99 × 99 = 98.01 → 99 + 0.01 × (100 − 99)
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.ok(Math.abs(percentile(hundred, 99) - 99.01) < 1e-9);
  assert.equal(median([5]), 5);
  assert.ok(Number.isNaN(percentile([], 50)));
  assert.throws(() => percentile([1], 101), RangeError);
  assert.equal(percentileSorted(Float64Array.from([1, 2, 10]), 50), 2);
});

test('summarize gives the median and the spread of finite runs', () => {
  const s = summarize([3, 1, Number.NaN, 2]);
  assert.equal(s.median, 2);
  assert.deepEqual(s.spread, { min: 1, max: 3, p25: 1.5, p75: 2.5, n: 3 });
  assert.deepEqual(s.runs.slice(0, 2), [3, 1]);
  assert.equal(summarize([Number.NaN]).median, null);
});

test('round keeps 3 significant digits', () => {
  assert.equal(round(0.0049871), 0.00499);
  assert.equal(round(123456), 123456);
  assert.equal(round(12.345), 12.3);
});
