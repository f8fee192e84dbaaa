import { verifyAuditFile } from './audit-verify.ts';

/**
 * `node --import tsx gateway/audit/verify-cli.ts var/audit/2026-01-31/<call-id>-<hash>.jsonl …`
 * (one file per call, gateway/audit/audit-log.ts).
 * Prints one verdict per file; exits 1 when any file fails (edited, removed or cut-off lines), 2 on usage.
 */
const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: verify-cli.ts <audit file.jsonl>…\n');
  process.exit(2);
}
let failed = false;
for (const file of files) {
  try {
    const v = verifyAuditFile(file);
    if (v.ok) process.stdout.write(`${file}: ok, ${v.records} records, head ${v.head}\n`);
    else {
      failed = true;
      process.stdout.write(`${file}: TAMPERED at line ${v.line}: ${v.problem}\n`);
    }
  } catch (err) {
    failed = true;
    process.stdout.write(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})\n`);
  }
}
process.exit(failed ? 1 : 0);
