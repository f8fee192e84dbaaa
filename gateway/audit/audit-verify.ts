import { existsSync, readFileSync } from 'node:fs';
import { parseHead, verifyLines, type ChainVerdict } from './audit-chain.ts';

/** Verifies one audit file and its `.head` (when present). */
export function verifyAuditFile(file: string): ChainVerdict {
  const lines = readFileSync(file, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const headFile = `${file}.head`;
  const head = existsSync(headFile) ? parseHead(readFileSync(headFile, 'utf8')) : undefined;
  if (existsSync(headFile) && !head) return { ok: false, line: 0, problem: `${headFile} is not "seq hash"` };
  return verifyLines(lines, head);
}
