import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../../config/load.ts';
import type { Config, DeepPartial } from '../../../config/types.ts';
import { ConfigError } from '../../../gateway/errors.ts';

const load = (overrides?: DeepPartial<Config>): Config => loadConfig({ env: {}, networkInterfaces: () => ({}), ...(overrides ? { overrides } : {}) });

test('opus settings default to 16 kHz, complexity 5, 24 kbit/s; codecs stays the preference list', () => {
  const cfg = load();
  assert.deepEqual({ ...cfg.opus }, { rate: 16000, complexity: 5, bitrateKbps: 24 });
  assert.deepEqual([...cfg.codecs], ['opus', 'G722', 'PCMU', 'PCMA']);
});

test('a partial opus section is completed with defaults', () => {
  assert.deepEqual({ ...load({ opus: { rate: 24000 } }).opus }, { rate: 24000, complexity: 5, bitrateKbps: 24 });
});

test('out-of-range opus settings are refused naming the key', () => {
  for (const [bad, key] of [
    [{ rate: 48000 }, 'opus.rate'],
    [{ complexity: 11 }, 'opus.complexity'],
    [{ bitrateKbps: 4 }, 'opus.bitrateKbps'],
    [{ fec: true }, 'opus'],
  ] as const) {
    assert.throws(
      () => load({ opus: bad as DeepPartial<Config['opus']> }),
      (e) => e instanceof ConfigError && e.keyPath.startsWith(key),
      JSON.stringify(bad),
    );
  }
});
