import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Registry } from 'prom-client';
import { startHttp } from '../../../gateway/http.ts';
import { metrics, registry } from '../../../gateway/metrics.ts';

test('GET /metrics serves the gateway registry in Prometheus text format', async () => {
  const srv = await startHttp({ bind: '127.0.0.1', port: 0, health: () => ({ calls: 0 }) });
  try {
    metrics.callsTotal.inc({ result: 'completed' });
    const res = await fetch(`http://127.0.0.1:${srv.port}/metrics`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), registry.contentType);
    const body = await res.text();
    assert.match(body, /# TYPE trunkline_calls_total counter/);
    assert.match(body, /trunkline_calls_total\{result="completed"\} [1-9]/);
  } finally {
    await srv.close();
  }
});

test('a custom registry is served when given', async () => {
  const reg = new Registry();
  new Counter({ name: 'only_here_total', help: 'x', registers: [reg] }).inc(3);
  const srv = await startHttp({ bind: '127.0.0.1', port: 0, health: () => ({ calls: 0 }), registry: reg });
  try {
    const body = await (await fetch(`http://127.0.0.1:${srv.port}/metrics?x=1`)).text();
    assert.match(body, /only_here_total 3/);
    assert.doesNotMatch(body, /trunkline_/);
  } finally {
    await srv.close();
  }
});

test('GET /healthz: 200 with the call count, 503 when draining (flag or health())', async () => {
  let calls = 2;
  let drainingFromHealth = false;
  const srv = await startHttp({ bind: '127.0.0.1', port: 0, health: () => ({ calls, draining: drainingFromHealth }) });
  const url = `http://127.0.0.1:${srv.port}/healthz`;
  try {
    let res = await fetch(url);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await res.json(), { status: 'ok', calls: 2 });
    calls = 5;
    assert.deepEqual(await (await fetch(url)).json(), { status: 'ok', calls: 5 });

    srv.setDraining(true);
    res = await fetch(url);
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), { status: 'draining' });
    srv.setDraining(false);
    assert.equal((await fetch(url)).status, 200);
    drainingFromHealth = true;
    assert.equal((await fetch(url)).status, 503);
  } finally {
    await srv.close();
  }
});

test('unknown paths are 404, other methods 405 with Allow: GET', async () => {
  const srv = await startHttp({ bind: '127.0.0.1', port: 0, health: () => ({ calls: 0 }) });
  const base = `http://127.0.0.1:${srv.port}`;
  try {
    assert.equal((await fetch(`${base}/`)).status, 404);
    assert.equal((await fetch(`${base}/metricsx`)).status, 404);
    assert.equal((await fetch(`${base}/__proto__`)).status, 404);
    const post = await fetch(`${base}/healthz`, { method: 'POST', body: 'x' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET');
    assert.equal((await fetch(`${base}/metrics`, { method: 'DELETE' })).status, 405);
  } finally {
    await srv.close();
  }
});

test('a health() that throws gives 500, and the server keeps serving', async () => {
  let fail = true;
  const srv = await startHttp({
    bind: '127.0.0.1',
    port: 0,
    health: () => {
      if (fail) throw new Error('boom');
      return { calls: 1 };
    },
  });
  try {
    assert.equal((await fetch(`http://127.0.0.1:${srv.port}/healthz`)).status, 500);
    fail = false;
    assert.equal((await fetch(`http://127.0.0.1:${srv.port}/healthz`)).status, 200);
  } finally {
    await srv.close();
  }
});

test('close() releases the port even with a keep-alive connection open; a busy port rejects start', async () => {
  const srv = await startHttp({ bind: '127.0.0.1', port: 0, health: () => ({ calls: 0 }) });
  await fetch(`http://127.0.0.1:${srv.port}/healthz`); // leaves a keep-alive socket in undici's pool
  const other = startHttp({ bind: '127.0.0.1', port: srv.port, health: () => ({ calls: 0 }) });
  await assert.rejects(other, /EADDRINUSE/);
  await srv.close();
  const again = await startHttp({ bind: '127.0.0.1', port: srv.port, health: () => ({ calls: 0 }) });
  await again.close();
});
