import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHttp } from '../../../gateway/http.ts';

test('/debug/memory reports numbers, and says whether a GC ran first (only with --expose-gc)', async () => {
  const http = await startHttp({ bind: '127.0.0.1', port: 0, health: () => ({ calls: 0 }) });
  try {
    const res = await fetch(`http://127.0.0.1:${http.port}/debug/memory`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { collected: boolean; rss: number; heapUsed: number };
    assert.equal(body.collected, typeof (globalThis as { gc?: unknown }).gc === 'function');
    assert.ok(body.rss > 0 && body.heapUsed > 0);
  } finally {
    await http.close();
  }
});
