import { createHash } from 'node:crypto';

/**
 * The audit log's hash chain (pure). Each JSON line carries `prev`, the SHA-256 of the previous
 * line's exact text, and `seq`, its position in the file from 0. Editing a line changes its hash, so
 * the next line's `prev` no longer matches; deleting a line breaks `seq` or `prev` the same way;
 * cutting lines off the end is caught against the `.head` file written beside the log.
 */
export const GENESIS = '0'.repeat(64);

export interface AuditRecord {
  readonly seq: number;
  /** ISO 8601 time the record was written. */
  readonly ts: string;
  readonly prev: string;
  readonly callId: string;
  readonly type: AuditEventType;
  readonly data: Readonly<Record<string, unknown>>;
}

export type AuditEventType = 'call-start' | 'route' | 'turn' | 'tool-call' | 'transfer' | 'guardrail' | 'call-end';

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Serialises one record after `prev` (the previous line's hash); returns the line and its own hash. */
export function chainLine(record: AuditRecord): { line: string; hash: string } {
  const line = JSON.stringify(record);
  return { line, hash: sha256(line) };
}

export type ChainVerdict =
  | { readonly ok: true; readonly records: number; readonly head: string }
  | { readonly ok: false; readonly line: number; readonly problem: string };

/**
 * Checks a file's lines (without the trailing empty one). `head` is the `seq hash` the writer last
 * recorded, when known; without it, lines removed from the end cannot be detected.
 */
export function verifyLines(lines: readonly string[], head?: { seq: number; hash: string }): ChainVerdict {
  let prev = GENESIS;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    let rec: Partial<AuditRecord>;
    try {
      rec = JSON.parse(text) as Partial<AuditRecord>;
    } catch {
      return { ok: false, line: i + 1, problem: 'not valid JSON' };
    }
    if (rec.seq !== i) return { ok: false, line: i + 1, problem: `sequence ${String(rec.seq)} where ${i} was expected (a line was removed or inserted)` };
    if (rec.prev !== prev) return { ok: false, line: i + 1, problem: 'prev does not match the hash of the line before (that line was edited or removed)' };
    prev = sha256(text);
  }
  if (head) {
    if (head.seq !== lines.length - 1) return { ok: false, line: lines.length, problem: `the head says ${head.seq + 1} records, the file holds ${lines.length} (lines were cut off the end)` };
    if (head.hash !== prev) return { ok: false, line: lines.length, problem: 'the last line does not match the head hash (it was edited)' };
  }
  return { ok: true, records: lines.length, head: prev };
}

export function parseHead(text: string): { seq: number; hash: string } | undefined {
  const m = /^(\d+) ([0-9a-f]{64})\s*$/.exec(text);
  return m ? { seq: Number(m[1]), hash: m[2]! } : undefined;
}
