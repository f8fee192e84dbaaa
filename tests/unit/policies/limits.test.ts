import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ToolBudget, maxCallSec } from '../../../policies/limits.ts';

test('a persona can shorten the call limit, never lengthen it', () => {
  assert.equal(maxCallSec(3600), 3600);
  assert.equal(maxCallSec(3600, { maxToolCalls: 1 }), 3600);
  assert.equal(maxCallSec(3600, { maxCallSec: 300, maxToolCalls: 1 }), 300);
  assert.equal(maxCallSec(600, { maxCallSec: 7200, maxToolCalls: 1 }), 600);
});

test('the tool budget refuses once spent; zero allows none', () => {
  const b = new ToolBudget(2);
  assert.deepEqual([b.take(), b.take(), b.take()], [true, true, false]);
  assert.equal(b.used, 2);
  assert.equal(new ToolBudget(0).take(), false);
});
