import { open, writeFile, type FileHandle } from 'node:fs/promises';
import { redactDeep } from '../../policies/guardrails.ts';
import { metrics } from '../metrics.ts';
import { GENESIS, chainLine, type AuditEventType } from './audit-chain.ts';

/** Records audit events of one call, in the order they happen. */
export type CallAuditRecorder = (type: AuditEventType, data: Readonly<Record<string, unknown>>) => void;

export interface CallAuditFileOptions {
  readonly file: string;
  readonly callId: string;
  /** Resolves once the file's directory exists. */
  readonly dirReady: Promise<void>;
  /** Redact numbers, emails and card-like digits in `data` (policies/guardrails.ts). */
  readonly redactPii: boolean;
  readonly now: () => Date;
}

/**
 * One call's audit file: JSON Lines hash-chained from the genesis (audit-chain.ts). Hashes are taken
 * when `record()` is called, so the chain follows the order of events; writes go one after the other
 * on one promise chain through one file handle, opened exclusively (`wx`: an existing file is never
 * continued, so every file starts at the genesis). `close()` writes `<file>.head` (`seq hash` of the
 * last line, so lines cut off the end show) and releases the handle; records after it are dropped.
 * A failed write is counted (trunkline_audit_write_errors_total) and never fails the call.
 */
export class CallAuditFile {
  readonly file: string;
  readonly #o: CallAuditFileOptions;
  readonly #handle: Promise<FileHandle | undefined>;
  #seq = 0;
  #prev = GENESIS;
  #tail: Promise<void>;
  #closed: Promise<void> | undefined;

  constructor(opts: CallAuditFileOptions) {
    this.#o = opts;
    this.file = opts.file;
    this.#handle = opts.dirReady.then(() => open(opts.file, 'wx')).catch(() => {
      metrics.auditWriteErrors.inc();
      return undefined;
    });
    this.#tail = this.#handle.then(() => undefined);
  }

  get closed(): boolean {
    return this.#closed !== undefined;
  }

  readonly record: CallAuditRecorder = (type, data) => {
    if (this.#closed) return;
    const ts = this.#o.now().toISOString();
    const { line, hash } = chainLine({ seq: this.#seq, ts, prev: this.#prev, callId: this.#o.callId, type, data: this.#o.redactPii ? redactDeep(data) : data });
    this.#seq++;
    this.#prev = hash;
    this.#tail = this.#tail.then(async () => {
      const h = await this.#handle;
      if (!h) return;
      await h.write(`${line}\n`).then(
        () => undefined,
        () => void metrics.auditWriteErrors.inc(),
      );
    });
  };

  /** Resolves once everything recorded so far is written. */
  flush(): Promise<void> {
    return this.#closed ?? this.#tail;
  }

  /** Writes the head and releases the file handle; idempotent. */
  close(): Promise<void> {
    this.#closed ??= this.#tail.then(async () => {
      const h = await this.#handle;
      if (!h) return;
      await h.close().catch(() => undefined);
      if (this.#seq > 0) await writeFile(`${this.file}.head`, `${this.#seq - 1} ${this.#prev}\n`).catch(() => void metrics.auditWriteErrors.inc());
    });
    return this.#closed;
  }
}
