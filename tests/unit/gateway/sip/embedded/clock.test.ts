import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../../../gateway/sip/embedded/clock.ts';

test('FakeClock runs timers in due order at their due time, including timers set by timers', () => {
  const clock = new FakeClock();
  const seen: string[] = [];
  clock.setTimeout(() => seen.push(`b@${clock.now()}`), 200);
  clock.setTimeout(() => {
    seen.push(`a@${clock.now()}`);
    clock.setTimeout(() => seen.push(`c@${clock.now()}`), 50);
  }, 100);
  const cancelled = clock.setTimeout(() => seen.push('never'), 120);
  clock.clearTimeout(cancelled);
  clock.advance(149);
  assert.deepEqual(seen, ['a@100']);
  assert.equal(clock.now(), 149);
  clock.advance(100);
  assert.deepEqual(seen, ['a@100', 'c@150', 'b@200']);
  assert.equal(clock.pending, 0);
});
