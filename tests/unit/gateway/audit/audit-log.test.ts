import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { AuditLog } from '../../../../gateway/audit/audit-log.ts';
import { verifyAuditFile } from '../../../../gateway/audit/audit-verify.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'audit-'));
  dirs.push(d);
  return d;
}

async function writeCall(log: AuditLog): Promise<void> {
  log.record('c1', 'call-start', { from: 'sip:+15551234567@carrier', dialed: '+15550001', trunk: 'carrier' });
  log.record('c1', 'route', { action: 'agent', agents: ['cascade', 'menu'], persona: 'support' });
  log.record('c1', 'turn', { role: 'caller', text: 'My card is 4111 1111 1111 1111, email jo@example.com' });
  log.record('c1', 'tool-call', { tool: 'lookup_order', stage: 'result', outcome: 'ok', arguments: { orderId: 'A-1' }, result: { status: 'shipped' } });
  log.record('c1', 'call-end', { result: 'caller-hangup' });
  await log.flush();
}

const day = new Date('2026-03-01T10:00:00Z');

test('a day file verifies, with numbers and card digits redacted', async () => {
  const dir = tmp();
  const log = new AuditLog({ dir, redactPii: true, now: () => day });
  await writeCall(log);
  const file = log.fileFor(day);
  assert.match(file, /audit-2026-03-01\.jsonl$/);
  assert.deepEqual(verifyAuditFile(file), { ok: true, records: 5, head: (verifyAuditFile(file) as { head: string }).head });
  const text = readFileSync(file, 'utf8');
  assert.doesNotMatch(text, /4111|15551234567|jo@example\.com/);
  const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { seq: number; type: string; data: Record<string, unknown> });
  assert.deepEqual(lines.map((l) => l.type), ['call-start', 'route', 'turn', 'tool-call', 'call-end']);
  assert.equal(lines[0]?.data.from, 'sip:[user]@carrier');
  assert.deepEqual(lines[3]?.data.result, { status: 'shipped' });
});

test('an edited line is caught at the line after it; the last line against the head', async () => {
  const dir = tmp();
  const log = new AuditLog({ dir, redactPii: false, now: () => day });
  await writeCall(log);
  const file = log.fileFor(day);
  const original = readFileSync(file, 'utf8');
  const lines = original.trim().split('\n');

  writeFileSync(file, original.replace('"outcome":"ok"', '"outcome":"failed"'));
  const edited = verifyAuditFile(file);
  assert.equal(edited.ok, false);
  assert.equal(!edited.ok && edited.line, 5, 'the record after the edited one no longer chains');

  writeFileSync(file, [...lines.slice(0, 4), lines[4]!.replace('caller-hangup', 'agent-hangup'), ''].join('\n'));
  const lastEdited = verifyAuditFile(file);
  assert.equal(!lastEdited.ok && lastEdited.problem, 'the last line does not match the head hash (it was edited)');

  writeFileSync(file, [...lines.slice(0, 2), ...lines.slice(3), ''].join('\n'));
  const deleted = verifyAuditFile(file);
  assert.equal(!deleted.ok && deleted.line, 3);
  assert.match(!deleted.ok ? deleted.problem : '', /sequence/);

  writeFileSync(file, [...lines.slice(0, 4), ''].join('\n'));
  const cut = verifyAuditFile(file);
  assert.match(!cut.ok ? cut.problem : '', /cut off the end/);

  writeFileSync(file, original);
  assert.equal(verifyAuditFile(file).ok, true);
});

test('a restart continues the chain of the day; a new day starts a new file', async () => {
  const dir = tmp();
  await writeCall(new AuditLog({ dir, redactPii: false, now: () => day }));
  const again = new AuditLog({ dir, redactPii: false, now: () => day });
  await writeCall(again);
  const v = verifyAuditFile(again.fileFor(day));
  assert.equal(v.ok && v.records, 10);
  const next = new Date('2026-03-02T00:00:01Z');
  let now = day;
  const rolling = new AuditLog({ dir, redactPii: false, now: () => now });
  rolling.record('c2', 'call-start', {});
  now = next;
  rolling.record('c2', 'call-end', { result: 'caller-hangup' });
  await rolling.flush();
  const v2 = verifyAuditFile(rolling.fileFor(next));
  assert.equal(v2.ok && v2.records, 1);
  assert.equal((verifyAuditFile(rolling.fileFor(day)) as { records: number }).records, 11);
});

test('the verifier command: exit 0 when intact, 1 with the line when tampered', async () => {
  const dir = tmp();
  const log = new AuditLog({ dir, redactPii: false, now: () => day });
  await writeCall(log);
  const file = log.fileFor(day);
  const run = (f: string) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', 'gateway/audit/verify-cli.ts', f], { cwd: process.cwd() }).then(
      (r) => ({ code: 0, out: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
    );
  const ok = await run(file);
  assert.equal(ok.code, 0);
  assert.match(ok.out, /ok, 5 records/);
  writeFileSync(file, readFileSync(file, 'utf8').replace('"persona":"support"', '"persona":"admin"'));
  const bad = await run(file);
  assert.equal(bad.code, 1);
  assert.match(bad.out, /TAMPERED at line 3/);
});
