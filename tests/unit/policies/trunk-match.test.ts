import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileTrunkMatcher } from '../../../policies/trunk-match.ts';

test('matches the first trunk whose CIDR holds the source', () => {
  const match = compileTrunkMatcher([
    { name: 'carrier', allowedCidrs: ['198.51.100.0/24', '2001:db8::/32'] },
    { name: 'lab', allowedCidrs: ['127.0.0.0/8'] },
    { name: 'any', allowedCidrs: ['0.0.0.0/0'] },
  ]);
  assert.equal(match('198.51.100.7'), 'carrier');
  assert.equal(match('2001:db8::42'), 'carrier');
  assert.equal(match('127.0.0.1'), 'lab');
  assert.equal(match('::ffff:127.0.0.1'), 'lab');
  assert.equal(match('203.0.113.9'), 'any');
  assert.equal(match('not-an-ip'), undefined);
});

test('no trunk for a source outside every list', () => {
  const match = compileTrunkMatcher([{ name: 'carrier', allowedCidrs: ['198.51.100.0/24'] }]);
  assert.equal(match('198.51.101.1'), undefined);
  assert.equal(match('::1'), undefined);
});
