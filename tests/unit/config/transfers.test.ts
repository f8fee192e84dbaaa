import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../../config/load.ts';
import type { Config, DeepPartial } from '../../../config/types.ts';
import { ConfigError } from '../../../gateway/errors.ts';

const menuWith = (then: unknown): DeepPartial<Config> =>
  ({ agent: { menu: { menus: { main: { prompt: 'P', options: [{ digit: '0', then }] } } } } }) as unknown as DeepPartial<Config>;

test('transfers defaults: no targets, incoming REFER rejected, 30 s', () => {
  const cfg = loadConfig({ env: {} });
  assert.deepEqual(cfg.transfers, { allowedTargets: [], incomingRefer: 'reject', timeoutSec: 30 });
  assert.equal(cfg.agent.menu.transferFailed, 'Sorry, I could not transfer your call.');
});

test('a menu option may transfer to an allowlisted target', () => {
  const cfg = loadConfig({ env: {}, overrides: { ...menuWith({ transfer: 'sip:op@pbx.example.com' }), transfers: { allowedTargets: ['sip:*@pbx.example.com'] } } });
  assert.deepEqual(cfg.agent.menu.menus.main?.options[0]?.then, { transfer: 'sip:op@pbx.example.com' });
});

test('a menu transfer to a target off the allowlist is a config error naming the key', () => {
  assert.throws(
    () => loadConfig({ env: {}, overrides: menuWith({ transfer: 'sip:op@pbx.example.com' }) }),
    (err: unknown) => err instanceof ConfigError && /options\[0\]\.then\.transfer/.test(err.message) && /allowedTargets/.test(err.message),
  );
});

test('bad shapes are refused by the schema', () => {
  for (const then of [{ transfer: 'http://x' }, { transfer: 'sip:a@b', goto: 'main' }, { transfer: 'sip:*@b' }]) {
    assert.throws(() => loadConfig({ env: {}, overrides: { ...menuWith(then), transfers: { allowedTargets: ['sip:*@b'] } } }), ConfigError, JSON.stringify(then));
  }
  assert.throws(() => loadConfig({ env: {}, overrides: { transfers: { incomingRefer: 'maybe' as 'accept' } } }), ConfigError);
  assert.throws(() => loadConfig({ env: {}, overrides: { transfers: { allowedTargets: ['<sip:a@b>'] } } }), ConfigError);
});
