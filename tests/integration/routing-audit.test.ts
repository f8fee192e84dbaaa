/**
 * Routing and the audit log against the running gateway, with SIPp callers: a number the policy
 * refuses (404), one it redirects (302 with the target as Contact), and a call handed over by an IVR
 * whose User-to-User and X- headers choose the persona and become its variables — all recorded in
 * the hash-chained audit file, which the verifier command accepts and then catches once edited.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { eventually } from './harness/eventually.ts';
import { REPO_ROOT, startGateway, type Gateway } from './harness/gateway.ts';
import { runSipp, type SippResult } from './harness/sipp.ts';

interface Line {
  readonly ts: string;
  readonly type: string;
  readonly callId: string;
  readonly data: Record<string, unknown>;
}

describe('routing and audit', () => {
  let gw: Gateway;
  const auditDir = mkdtempSync(join(tmpdir(), 'tl-audit-'));

  before(async () => {
    gw = await startGateway({
      config: {
        calls: { drainTimeoutSec: 2 },
        personas: { default: {}, support: { instructions: 'Account {{x_account}}, from the IVR: {{uui}}.' } },
        routing: {
          numbers: { '5559999': { reject: { status: 404, reason: 'Not Found' } }, '5552*': { transfer: 'sip:desk@pbx.example.com' } },
          headerRules: [{ match: { header: 'X-Intent', pattern: '^support$' }, persona: 'support' }],
        },
        audit: { dir: auditDir, redactPii: true },
      },
    });
  });

  after(async () => {
    if (gw) await gw.stop();
    rmSync(auditDir, { recursive: true, force: true });
  });

  const explain = (r: SippResult): string => `${r.describe()}\n${gw.describe()}`;
  /** Every call's audit file (one per call, under its UTC day), oldest call first. */
  const auditFiles = (): { file: string; lines: Line[] }[] =>
    readdirSync(auditDir)
      .flatMap((day) => readdirSync(join(auditDir, day)).filter((f) => f.endsWith('.jsonl')).map((f) => join(auditDir, day, f)))
      .map((file) => ({ file, lines: readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line) }))
      .sort((a, b) => (a.lines[0]?.ts ?? '').localeCompare(b.lines[0]?.ts ?? ''));

  test('a refused number gets 404, a redirected prefix 302 with the target as Contact', { timeout: 40_000 }, async () => {
    const refused = await runSipp('uac-routed-404.xml', { target: gw.target, service: '5559999', timeoutMs: 15_000 });
    assert.equal(refused.exitCode, 0, explain(refused));
    const moved = await runSipp('uac-routed-302.xml', { target: gw.target, service: '5552100', timeoutMs: 15_000 });
    assert.equal(moved.exitCode, 0, explain(moved));
    assert.equal(await gw.metric('trunkline_route_decisions_total', { action: 'reject' }), 1);
    assert.equal(await gw.metric('trunkline_route_decisions_total', { action: 'transfer' }), 1);
    assert.equal(await gw.metric('trunkline_calls_total', { result: 'transferred' }), 1);
  });

  test('IVR context picks the persona and fills its variables; the audit chain holds and shows an edit', { timeout: 60_000 }, async () => {
    const r = await runSipp('uac-ivr-context.xml', { target: gw.target, service: '5550100', timeoutMs: 30_000 });
    assert.equal(r.exitCode, 0, explain(r));
    const files = await eventually(() => Promise.resolve(auditFiles()), (fs) => fs.some((f) => f.lines.some((l) => l.type === 'call-end' && l.data.result === 'caller-hangup')), 10_000);
    assert.equal(files.length, 3, 'one audit file per call');
    for (const f of files) {
      assert.equal(f.lines[0]?.type, 'call-start', f.file);
      assert.equal(f.lines.at(-1)?.type, 'call-end', f.file);
      assert.ok(f.lines.every((l) => l.callId === f.lines[0]?.callId), 'a file holds one call');
    }
    const ivr = files.find((f) => f.lines.some((l) => l.type === 'route' && l.data.persona === 'support'));
    assert.ok(ivr, `no route to the support persona in ${JSON.stringify(files.map((f) => f.lines.map((l) => l.data)))}`);
    const { file, lines } = ivr;
    const route = lines.find((l) => l.type === 'route')!;
    assert.deepEqual(route.data.variables, { uui: 'ACME-77', x_intent: 'support', x_account: 'ACME-77' });
    const start = lines.find((l) => l.type === 'call-start');
    assert.match(String(start?.data.from), /^sip:\[user\]@127\.0\.0\.1/, 'the caller number is redacted');
    assert.deepEqual(files.map((f) => f.lines.find((l) => l.type === 'route')?.data.action), ['reject', 'transfer', 'agent']);

    const verify = (f: string) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'gateway/audit/verify-cli.ts', f], { cwd: REPO_ROOT }).then(
        (x) => ({ code: 0, out: x.stdout }),
        (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
      );
    const ok = await verify(file);
    assert.equal(ok.code, 0, ok.out);
    writeFileSync(file, readFileSync(file, 'utf8').replace('"persona":"support"', '"persona":"default"'));
    const bad = await verify(file);
    assert.equal(bad.code, 1, bad.out);
    assert.match(bad.out, /TAMPERED at line \d+/);
  });
});
