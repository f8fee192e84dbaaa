import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../../config/load.ts';
import type { Config, DeepPartial } from '../../../config/types.ts';
import { ConfigError } from '../../../gateway/errors.ts';

const load = (overrides: unknown) => loadConfig({ env: {}, overrides: overrides as DeepPartial<Config> });
const keyPathOf = (overrides: unknown): string => {
  try {
    load(overrides);
    return '(loaded)';
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.keyPath;
  }
};

test('the default config has routing, a default persona, no tools and the audit on', () => {
  const cfg = load({});
  assert.deepEqual(cfg.routing.contextHeaders, ['user-to-user', 'diversion', 'history-info', 'x-*']);
  assert.equal(cfg.personas.default?.limits.maxToolCalls, 20);
  assert.deepEqual(cfg.tools.declarations, []);
  assert.equal(cfg.audit.enabled, true);
  assert.equal(cfg.audit.redactPii, true);
});

test('policy mistakes name the key', () => {
  assert.equal(keyPathOf({ routing: { numbers: { '+1555': { persona: 'nobody' } } } }), 'routing.numbers["+1555"].persona');
  assert.equal(keyPathOf({ routing: { trunks: { ghost: { agent: 'menu' } } } }), 'routing.trunks.ghost');
  assert.equal(keyPathOf({ routing: { headerRules: [{ match: { header: 'x-a', pattern: '(' }, agent: 'menu' }] } }), 'routing.headerRules[0].match.pattern');
  assert.equal(keyPathOf({ personas: { default: { tools: ['refund'] } } }), 'personas.default.tools[0]');
  assert.equal(keyPathOf({ personas: { default: { neverSay: ['[unclosed'] } } }), 'personas.default.neverSay[0]');
  assert.equal(keyPathOf({ routing: { default: { agent: 'robot' as 'menu' } } }), 'routing.default.agent');
  assert.equal(keyPathOf({ routing: { default: { reject: { status: 200 } } } }), 'routing.default.reject.status');
  assert.equal(keyPathOf({ tools: { declarations: [{ name: 'refund', description: 'Refund', parameters: { type: 'object' } }] } }), 'tools.declarations[0]');
});

test('a declared webhook tool a persona lists loads with its defaults', () => {
  const cfg = load({
    tools: { declarations: [{ name: 'refund', description: 'Refund an order', destructive: true, parameters: { type: 'object', additionalProperties: false, properties: {} }, webhook: { url: 'http://127.0.0.1:1/refund' } }] },
    personas: { default: { tools: ['refund', 'transfer_call'] } },
  });
  assert.deepEqual(cfg.tools.declarations[0]?.webhook, { url: 'http://127.0.0.1:1/refund', timeoutMs: 3000, retries: 2, maxReplyBytes: 65536, fillerAfterMs: 1200 });
});
