/**
 * RFC 4475 (+ RFC 5118) torture messages against the running gateway, byte-exact, over UDP and TCP.
 * Hard gate: the gateway answers a valid OPTIONS with 200 after every single message and is still
 * running at the end. Score: the share of first final responses matching INDEX.tsv's expectation.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { REPO_ROOT, SHARED_CONFORMANCE } from './harness/gateway.ts';
import { expectationFor, matches, parseIndex, type IndexRow } from './harness/torture-expect.ts';
import type { TortureReport } from './harness/torture-run.ts';

/** Set from real runs (110/111 on the first complete gateway); raise it as the parser improves. */
const MIN_MATCHED_SHARE = 0.95;
const RUN_TIMEOUT_MS = 300_000;

/** Runs torture-run.ts in a fresh network namespace with only loopback (root, or user namespaces). */
function runIsolated(out: string): { ok: boolean; detail: string } {
  const inner = `ip link set lo up && exec "${process.execPath}" --import tsx tests/integration/harness/torture-run.ts "${out}"`;
  let last = '';
  for (const flags of [['-n'], ['-r', '-n']]) {
    if (spawnSync('unshare', [...flags, 'true']).status !== 0) continue;
    const r = spawnSync('unshare', [...flags, 'sh', '-c', inner], { cwd: REPO_ROOT, timeout: RUN_TIMEOUT_MS, encoding: 'utf8' });
    last = `unshare ${flags.join(' ')}: status=${r.status} signal=${r.signal}\n${r.stdout}\n${r.stderr}`;
    return { ok: r.status === 0, detail: last };
  }
  return { ok: false, detail: `no network namespace available (unshare -n / -rn failed) ${last}` };
}

const corpus = path.join(SHARED_CONFORMANCE, 'rfc4475', 'INDEX.tsv');

describe('RFC 4475 / RFC 5118 torture messages', { skip: existsSync(corpus) ? false : `missing ${corpus}` }, () => {
  let report: TortureReport;
  let rows: IndexRow[];

  before(() => {
    rows = parseIndex(readFileSync(corpus, 'utf8'));
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'trunkline-torture-')), 'report.json');
    const r = runIsolated(out);
    assert.ok(r.ok && existsSync(out), `torture run failed:\n${r.detail}`);
    report = JSON.parse(readFileSync(out, 'utf8')) as TortureReport;
  });

  test('every message was sent over UDP and over TCP', () => {
    assert.equal(report.cases.length, rows.length * 2, 'cases run');
    assert.ok(rows.length >= 61, `INDEX.tsv lists ${rows.length} messages`);
  });

  test('the gateway answers a valid OPTIONS with 200 after every message, and never exits', () => {
    const dead = report.cases.filter((c) => !c.alive).map((c) => `${c.transport} ${c.file} -> probe ${c.probe}`);
    assert.deepEqual(dead, [], `liveness failures:\n${dead.join('\n')}\n--- gateway log ---\n${report.gatewayLogTail}`);
    assert.equal(report.gatewayRunningAtEnd, true, `gateway exited: ${JSON.stringify(report.gatewayExit)}\n${report.gatewayLogTail}`);
  });

  test(`verdicts match INDEX.tsv for at least ${MIN_MATCHED_SHARE * 100}% of scored cases`, (t) => {
    const byFile = new Map(rows.map((r) => [r.file, r]));
    let scored = 0;
    let matched = 0;
    const misses: string[] = [];
    for (const c of report.cases) {
      const row = byFile.get(c.file);
      assert.ok(row, `unknown file ${c.file}`);
      const exp = expectationFor(row, c.transport);
      const ok = matches(exp, { responses: c.responses, closed: c.closed });
      if (ok === null) continue;
      scored++;
      if (ok) matched++;
      else misses.push(`${c.transport} ${c.file.padEnd(42)} expected ${JSON.stringify(exp)} got ${c.responses.join(' | ') || (c.closed ? '<closed>' : '<none>')}`);
    }
    const line = `rfc4475 verdicts matched: ${matched}/${scored}`;
    console.log(line);
    t.diagnostic(line);
    for (const m of misses) t.diagnostic(m);
    assert.ok(scored > 80, `only ${scored} cases scored`);
    assert.ok(matched / scored >= MIN_MATCHED_SHARE, `${line} (< ${MIN_MATCHED_SHARE}):\n${misses.join('\n')}`);
  });
});
