import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { redactDeep } from '../../policies/guardrails.ts';
import { metrics } from '../metrics.ts';
import { GENESIS, chainLine, sha256, type AuditEventType } from './audit-chain.ts';

/** Where audit events go; one per gateway, shared by every call. */
export interface AuditSink {
  record(callId: string, type: AuditEventType, data: Readonly<Record<string, unknown>>): void;
  /** Resolves once everything recorded so far is on disk. */
  flush(): Promise<void>;
}

export interface AuditLogOptions {
  readonly dir: string;
  /** Redact numbers, emails and card-like digits in `data` (policies/guardrails.ts). */
  readonly redactPii: boolean;
  /** For tests: the clock. */
  readonly now?: () => Date;
}

/**
 * Append-only JSON Lines, one file per UTC day (`audit-YYYY-MM-DD.jsonl`), hash-chained
 * (audit-chain.ts), with `<file>.head` holding the last `seq hash` so truncation shows too.
 * Hashes are computed when `record()` is called, so the chain follows the order of events; writes
 * are queued one after the other on a single promise chain. A failed write is counted and logged by
 * the caller via `flush()`; it never fails a call.
 */
export class AuditLog implements AuditSink {
  readonly #opts: AuditLogOptions;
  #day = '';
  #file = '';
  #seq = 0;
  #prev = GENESIS;
  #tail: Promise<void> = Promise.resolve();
  #dirReady: Promise<void> | undefined;

  constructor(opts: AuditLogOptions) {
    this.#opts = opts;
  }

  /** The file today's records go to. */
  fileFor(date: Date): string {
    return join(this.#opts.dir, `audit-${date.toISOString().slice(0, 10)}.jsonl`);
  }

  record(callId: string, type: AuditEventType, data: Readonly<Record<string, unknown>>): void {
    const now = (this.#opts.now ?? (() => new Date()))();
    const day = now.toISOString().slice(0, 10);
    if (day !== this.#day) this.#openDay(day, now);
    const { line, hash } = chainLine({ seq: this.#seq, ts: now.toISOString(), prev: this.#prev, callId, type, data: this.#opts.redactPii ? redactDeep(data) : data });
    const file = this.#file;
    const head = `${this.#seq} ${hash}\n`;
    this.#seq++;
    this.#prev = hash;
    this.#dirReady ??= mkdir(this.#opts.dir, { recursive: true }).then(() => undefined);
    const dirReady = this.#dirReady;
    this.#tail = this.#tail
      .then(() => dirReady)
      .then(() => appendFile(file, `${line}\n`))
      .then(() => writeFile(`${file}.head`, head))
      .catch(() => {
        metrics.auditWriteErrors.inc();
      });
  }

  flush(): Promise<void> {
    return this.#tail;
  }

  /** Continues an existing day file's chain after a restart (its head file, else its last line). */
  #openDay(day: string, now: Date): void {
    this.#day = day;
    this.#file = this.fileFor(now);
    this.#seq = 0;
    this.#prev = GENESIS;
    if (!existsSync(this.#file)) return;
    const lines = readFileSync(this.#file, 'utf8').split('\n').filter((l) => l !== '');
    if (lines.length === 0) return;
    this.#seq = lines.length;
    this.#prev = sha256(lines[lines.length - 1]!);
  }
}
