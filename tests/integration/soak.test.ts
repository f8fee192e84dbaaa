/**
 * Soak: 1200 short calls (INVITE/200/ACK, 200 ms, BYE) from SIPp at 25 calls/s, then the gateway must
 * be back where it started: no call left, the same open file descriptors (every RTP socket pair
 * closed), every RTP port back in the pool, and the V8 heap (after a full GC, once the transactions
 * of the run have timed out) within a few MB of its baseline.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, type Gateway } from './harness/gateway.ts';
import { runSipp } from './harness/sipp.ts';
import { eventually, sleep } from './harness/eventually.ts';
import { GC_ENV, MB, gatewayMemory } from './harness/memory.ts';

const CALLS = 1200;
const CONFIG = {
  security: { admission: { perSource: { ratePerSec: 200, burst: 200 }, perTrunk: { ratePerSec: 200, burst: 200 } }, media: { portQuarantineMs: 2000 } },
  calls: { drainTimeoutSec: 1, maxConcurrent: 200 },
  logging: { level: 'warn' },
};
/** Server transactions outlive their call by up to 64*T1 = 32 s (RFC 3261 Timers H, J). */
const TRANSACTION_SETTLE_MS = 34_000;

describe(`soak: ${CALLS} short calls`, () => {
  let gw: Gateway;
  before(async () => {
    gw = await startGateway({ config: CONFIG, env: GC_ENV });
  });
  after(async () => {
    if (gw) await gw.stop();
  });

  const fds = (): Promise<number> => gw.metric('trunkline_process_process_open_fds');
  const snapshot = async () => ({ fds: await fds(), mem: await gatewayMemory(gw) });

  test('fds, ports and memory are flat after the run', { timeout: 150_000 }, async (t) => {
    // Warm-up: JIT, prompt cache, first allocations of every pool.
    const warm = await runSipp('uac-short-call.xml', { target: gw.target, calls: 50, timeoutMs: 30_000, extraArgs: ['-r', '25', '-l', '50', '-d', '200'] });
    assert.equal(warm.exitCode, 0, warm.describe());
    assert.equal(await eventually(() => gw.metric('trunkline_active_calls'), (v) => v === 0, 10_000), 0);
    // Measured without waiting for the warm-up's transactions to time out: a baseline a little high
    // (50 calls' worth) only makes the comparison kinder, and keeps the file under two minutes.
    const before = await snapshot();
    const t0 = Date.now();
    const r = await runSipp('uac-short-call.xml', { target: gw.target, calls: CALLS, timeoutMs: 110_000, extraArgs: ['-r', '25', '-l', '60', '-d', '200'] });
    const runMs = Date.now() - t0;
    assert.equal(r.stats?.successful, CALLS, `${r.describe()}\n${gw.describe()}`);
    assert.equal(await eventually(() => gw.metric('trunkline_active_calls'), (v) => v === 0, 10_000), 0, 'calls left over');
    assert.equal(await eventually(fds, (v) => v <= before.fds + 2, 5000), await fds());
    const fdsAfterCalls = await fds();
    await sleep(TRANSACTION_SETTLE_MS);
    const afterRun = await snapshot();
    const line = `soak: ${CALLS} calls in ${(runMs / 1000).toFixed(1)} s; fds ${before.fds} → ${fdsAfterCalls} (calls over) → ${afterRun.fds}; heap ${(before.mem.heapUsed / MB).toFixed(1)} → ${(afterRun.mem.heapUsed / MB).toFixed(1)} MB; rss ${(before.mem.rss / MB).toFixed(1)} → ${(afterRun.mem.rss / MB).toFixed(1)} MB`;
    console.log(line);
    t.diagnostic(line);
    assert.ok(before.mem.collected && afterRun.mem.collected, 'measured after a full GC');
    // The test's own keep-alive connection to /metrics may come and go: allow two descriptors.
    assert.ok(afterRun.fds <= before.fds + 2, line);
    assert.ok(afterRun.mem.heapUsed < before.mem.heapUsed + 8 * MB, line);
    assert.ok(afterRun.mem.rss < before.mem.rss + 120 * MB, line);
    // Every call ended by the caller's BYE: none by media timeout, fault or ACK timeout.
    assert.equal(await gw.metric('trunkline_call_errors_total'), 0, gw.describe());
    assert.ok((await gw.metric('trunkline_calls_total', { result: 'caller-hangup' })) >= CALLS + 50);
  });
});
