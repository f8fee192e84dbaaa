/**
 * All 4527 PROTOS c07-sip INVITEs (University of Oulu) against the running gateway: UDP, and TCP for
 * the cases larger than a datagram, each followed by an OPTIONS liveness probe. Hard gates: every
 * probe answered 200, the gateway still running, no call left over, and the V8 heap (after a full
 * GC, once the transactions of the run have timed out) back within a few MB of its baseline.
 * Runs in a private network namespace (the cases' SDP names foreign hosts). Reference: Kamailio
 * answered all 4527 in 69 s with zero liveness failures.
 */
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runIsolated } from './harness/netns.ts';
import { PROTOS_DIR } from './harness/protos-cases.ts';
import type { ProtosReport } from './harness/protos-run.ts';
import { MB } from './harness/memory.ts';

const RUN_TIMEOUT_MS = 240_000;
/** Heap growth tolerated after the run: caches warmed by it (TTS, JIT'd code), never per-case state. */
const HEAP_SLACK = 24 * MB;

describe('PROTOS c07-sip against the running gateway', { skip: existsSync(PROTOS_DIR) ? false : `missing ${PROTOS_DIR}` }, () => {
  let report: ProtosReport;

  before(() => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'trunkline-protos-')), 'report.json');
    const r = runIsolated('tests/integration/harness/protos-run.ts', [out], RUN_TIMEOUT_MS);
    assert.ok(r.ok && existsSync(out), `protos run failed:\n${r.detail}`);
    report = JSON.parse(readFileSync(out, 'utf8')) as ProtosReport;
  }, { timeout: RUN_TIMEOUT_MS + 10_000 });

  test('all 4527 cases were sent (oversized ones over TCP)', (t) => {
    assert.equal(report.cases, 4527);
    assert.equal(report.udp + report.tcp, 4527);
    assert.ok(report.tcp >= 50, `tcp cases ${report.tcp}`);
    const line = `protos: ${report.cases} cases in ${(report.durationMs / 1000).toFixed(1)} s, statuses ${JSON.stringify(report.statuses)}`;
    console.log(line);
    t.diagnostic(line);
  });

  test('a valid OPTIONS is answered 200 after every case, and the gateway never exits', () => {
    assert.deepEqual(report.dead, [], `liveness failures after cases ${report.dead.join(', ')}\n${report.gatewayLogTail}`);
    assert.equal(report.gatewayRunningAtEnd, true, report.gatewayLogTail);
  });

  test('no call is left over, and memory is back near its baseline', (t) => {
    assert.equal(report.activeCallsAtEnd, 0);
    const m = report.memory;
    const line = `protos memory: heap ${(m.baselineHeap / MB).toFixed(1)} → ${(m.afterHeap / MB).toFixed(1)} MB, rss ${(m.baselineRss / MB).toFixed(1)} → ${(m.afterRss / MB).toFixed(1)} MB (peak ${(m.peakRss / MB).toFixed(1)})`;
    console.log(line);
    t.diagnostic(line);
    assert.ok(m.afterHeap < m.baselineHeap + HEAP_SLACK, line);
    // RSS rarely shrinks back (the allocator keeps pages); it must at least stay bounded.
    assert.ok(m.afterRss < m.baselineRss + 200 * MB, line);
  });
});
