import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ToolExecutionError, callWebhook, type WebhookOptions } from '../../../../agent/tools/webhook.ts';
import { ToolBackend } from './webhook-server.ts';

const backend = new ToolBackend();
let url = '';
before(async () => {
  url = await backend.start();
});
after(() => backend.close());

const opts = (over: Partial<WebhookOptions> = {}): WebhookOptions => ({ url, timeoutMs: 300, retries: 2, maxReplyBytes: 1024, backoffMs: () => 10, ...over });
const payload = { tool: 'refund', arguments: { orderId: 'A-1' }, callId: 'c1' };

test('posts JSON with the idempotency key and parses the JSON reply', async () => {
  backend.plan = [{ status: 200 }];
  const n = backend.seen.length;
  const r = await callWebhook(opts({ bearer: 'tok' }), payload, 'key-ok');
  assert.equal(r.status, 200);
  assert.equal(r.attempts, 1);
  assert.deepEqual(r.body, { done: true, echo: { orderId: 'A-1' } });
  const seen = backend.seen[n]!;
  assert.equal(seen.key, 'key-ok');
  assert.equal(seen.auth, 'Bearer tok');
  assert.equal(seen.contentType, 'application/json');
  assert.deepEqual(seen.body, payload);
});

test('a timed-out attempt that acted is retried with the same key and does not act twice', async () => {
  // Attempt 1 acts but replies after the timeout; attempt 2 replays the stored reply.
  backend.plan = [{ delayMs: 600 }, {}];
  const n = backend.seen.length;
  const r = await callWebhook(opts(), payload, 'key-timeout');
  assert.equal(r.attempts, 2);
  assert.deepEqual(backend.seen.slice(n).map((s) => s.key), ['key-timeout', 'key-timeout']);
  assert.equal(backend.effects.get('key-timeout'), 1, 'the action happened exactly once');
});

test('5xx and 429 are retried; the effect still happens once', async () => {
  backend.plan = [{ status: 503 }, { status: 429 }, { status: 200 }];
  const r = await callWebhook(opts(), payload, 'key-5xx');
  assert.equal(r.attempts, 3);
  assert.equal(backend.effects.get('key-5xx'), 1);
});

test('a 4xx is final: no retry', async () => {
  backend.plan = [{ status: 422 }];
  const n = backend.seen.length;
  const err = await callWebhook(opts(), payload, 'key-422').catch((e: unknown) => e);
  assert.ok(err instanceof ToolExecutionError);
  assert.equal(err.code, 'http');
  assert.equal(err.status, 422);
  assert.equal(err.retryable, false);
  assert.equal(backend.seen.length - n, 1);
});

test('every attempt timing out gives up after 1 + retries attempts', async () => {
  backend.plan = [{ status: 500, delayMs: 500 }, { status: 500, delayMs: 500 }, { status: 500, delayMs: 500 }];
  const t0 = Date.now();
  const err = await callWebhook(opts({ timeoutMs: 150 }), payload, 'key-slow').catch((e: unknown) => e);
  assert.ok(err instanceof ToolExecutionError);
  assert.equal(err.code, 'timeout');
  assert.equal(err.attempts, 3);
  assert.ok(Date.now() - t0 < 2000, 'bounded in time');
});

test('a reply over the size limit is refused, not retried', async () => {
  backend.plan = [{ status: 200, body: JSON.stringify({ blob: 'x'.repeat(5000) }) }];
  const n = backend.seen.length;
  const err = await callWebhook(opts(), payload, 'key-big').catch((e: unknown) => e);
  assert.ok(err instanceof ToolExecutionError);
  assert.equal(err.code, 'too-large');
  assert.equal(backend.seen.length - n, 1);
});

test('a refused connection is retried then reported as a network failure', async () => {
  const err = await callWebhook(opts({ url: 'http://127.0.0.1:9/tool', retries: 1 }), payload, 'key-net').catch((e: unknown) => e);
  assert.ok(err instanceof ToolExecutionError);
  assert.equal(err.code, 'network');
  assert.equal(err.attempts, 2);
});

test('the call ending aborts the webhook', async () => {
  backend.plan = [{ delayMs: 1000 }];
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 50);
  const err = await callWebhook(opts({ timeoutMs: 2000 }), payload, 'key-abort', ac.signal).catch((e: unknown) => e);
  assert.ok(err instanceof ToolExecutionError);
  assert.equal(err.code, 'aborted');
});
