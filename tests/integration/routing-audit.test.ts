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
  const auditLines = (): { file: string; lines: Line[] } => {
    const name = readdirSync(auditDir).find((f) => f.endsWith('.jsonl'));
    if (!name) return { file: '', lines: [] };
    const file = join(auditDir, name);
    return { file, lines: readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line) };
  };

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
    const { file, lines } = await eventually(() => Promise.resolve(auditLines()), (a) => a.lines.some((l) => l.type === 'call-end' && l.data.result === 'caller-hangup'), 10_000);
    const route = lines.find((l) => l.type === 'route' && l.data.persona === 'support');
    assert.ok(route, `no route to the support persona in ${JSON.stringify(lines.map((l) => l.data))}`);
    assert.deepEqual(route.data.variables, { uui: 'ACME-77', x_intent: 'support', x_account: 'ACME-77' });
    const start = lines.find((l) => l.type === 'call-start' && l.callId === route.callId);
    assert.match(String(start?.data.from), /^sip:\[user\]@127\.0\.0\.1/, 'the caller number is redacted');
    assert.deepEqual(lines.filter((l) => l.type === 'route').map((l) => l.data.action), ['reject', 'transfer', 'agent']);

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
