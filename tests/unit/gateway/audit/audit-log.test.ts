import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { AuditLog, auditFileName } from '../../../../gateway/audit/audit-log.ts';
import { verifyAuditFile } from '../../../../gateway/audit/audit-verify.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'audit-'));
  dirs.push(d);
  return d;
}

/** One call from start to end; resolves with its (closed) file. */
async function writeCall(log: AuditLog, callId = 'c1'): Promise<string> {
  const c = log.openCall(callId);
  c.record('call-start', { from: 'sip:+15551234567@carrier', dialed: '+15550001', trunk: 'carrier' });
  c.record('route', { action: 'agent', agents: ['cascade', 'menu'], persona: 'support' });
  c.record('turn', { role: 'caller', text: 'My card is 4111 1111 1111 1111, email jo@example.com' });
  c.record('tool-call', { tool: 'lookup_order', stage: 'result', outcome: 'ok', arguments: { orderId: 'A-1' }, result: { status: 'shipped' } });
  c.record('call-end', { result: 'caller-hangup' });
  await c.close();
  return c.file;
}

const day = new Date('2026-03-01T10:00:00Z');

test('one file per call under its day, verified, with numbers and card digits redacted', async () => {
  const dir = tmp();
  const log = new AuditLog({ dir, redactPii: true, now: () => day });
  const file = await writeCall(log, 'a84b4c76e66710@pc33.atlanta.com');
  assert.equal(dirname(file), join(dir, '2026-03-01'));
  assert.match(basename(file), /^a84b4c76e66710_pc33\.atlanta\.com-[0-9a-f]{12}\.jsonl$/);
  assert.deepEqual(verifyAuditFile(file), { ok: true, records: 5, head: (verifyAuditFile(file) as { head: string }).head });
  const text = readFileSync(file, 'utf8');
  assert.doesNotMatch(text, /4111|15551234567|jo@example\.com/);
  const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { seq: number; type: string; callId: string; data: Record<string, unknown> });
  assert.deepEqual(lines.map((l) => l.type), ['call-start', 'route', 'turn', 'tool-call', 'call-end']);
  assert.ok(lines.every((l) => l.callId === 'a84b4c76e66710@pc33.atlanta.com'));
  assert.equal(lines[0]?.data.from, 'sip:[user]@carrier');
  assert.deepEqual(lines[3]?.data.result, { status: 'shipped' });
  assert.equal(log.openCalls, 0, 'the closed call holds nothing');
});

test('a hostile or huge Call-ID stays in the day directory with a bounded name', () => {
  const names = ['../../etc/passwd', '/abs/olute', '..', 'x'.repeat(5000), 'a b\u0000c\nd', ''].map((id) => auditFileName(id, day, 0));
  for (const n of names) {
    assert.equal(dirname(n), '2026-03-01', n);
    assert.match(basename(n), /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}-[0-9a-f]{12}\.jsonl$/, n);
  }
  assert.notEqual(auditFileName('same', day, 0), auditFileName('same', day, 1), 'a reused Call-ID gets another file');
});

test('concurrent calls each chain from the genesis in their own file; records after close are dropped', async () => {
  const dir = tmp();
  const log = new AuditLog({ dir, redactPii: false, now: () => day });
  const a = log.openCall('same-id');
  const b = log.openCall('same-id');
  const c = log.openCall('other');
  assert.equal(log.openCalls, 3);
  for (let i = 0; i < 3; i++) for (const x of [a, b, c]) x.record('turn', { role: 'caller', text: `t${i}` });
  await a.close();
  a.record('turn', { role: 'agent', text: 'too late' });
  await log.close();
  assert.equal(log.openCalls, 0);
  const files = readdirSync(join(dir, '2026-03-01')).filter((f) => f.endsWith('.jsonl'));
  assert.equal(files.length, 3);
  for (const f of [a.file, b.file, c.file]) {
    const v = verifyAuditFile(f);
    assert.equal(v.ok && v.records, 3, f);
    assert.equal((JSON.parse(readFileSync(f, 'utf8').split('\n')[0]!) as { prev: string }).prev, '0'.repeat(64));
    assert.ok(existsSync(`${f}.head`));
  }
  assert.doesNotMatch(readFileSync(a.file, 'utf8'), /too late/);
});

test('an edited line is caught at the line after it; the last line against the head', async () => {
  const dir = tmp();
  const file = await writeCall(new AuditLog({ dir, redactPii: false, now: () => day }));
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

test('the verifier command: exit 0 when intact, 1 with the line when tampered', async () => {
  const dir = tmp();
  const file = await writeCall(new AuditLog({ dir, redactPii: false, now: () => day }));
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
