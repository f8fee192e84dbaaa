import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { startInstantCascadeProvider } from '../../../../bench/lib/instant-openai.ts';
import { loadConfig } from '../../../../config/load.ts';
import { defaultConfigWith } from '../../../integration/harness/gateway.ts';

test('the instant provider routes every call to the cascade, with no fallback, in a valid config', async () => {
  const p = await startInstantCascadeProvider();
  try {
    const dir = mkdtempSync(path.join(tmpdir(), 'trunkline-instant-'));
    const file = path.join(dir, 'config.yaml');
    writeFileSync(file, defaultConfigWith(p.config));
    const cfg = loadConfig({ file, env: {} });
    assert.equal(cfg.agent.default, 'cascade');
    assert.deepEqual(cfg.routing.default.fallback, []);
    assert.ok(cfg.agent.cascade.stt.baseUrl?.startsWith('http://127.0.0.1:'));
    assert.ok(p.env.OPENAI_API_KEY);
  } finally {
    await p.close();
  }
});

test('the instant provider answers a streamed chat completion at once and counts it', async () => {
  const p = await startInstantCascadeProvider();
  try {
    const cfg = p.config as { agent: { cascade: { llm: { baseUrl: string } } } };
    const t0 = performance.now();
    const res = await fetch(`${cfg.agent.cascade.llm.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${p.env.OPENAI_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const body = await res.text();
    assert.equal(res.status, 200, body);
    assert.match(body, /Okay\./);
    assert.ok(performance.now() - t0 < 1000, 'instant');
    assert.deepEqual(p.counts(), { transcribe: 0, chat: 1, speech: 0, violations: 0 });
  } finally {
    await p.close();
  }
});
