import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256 } from './audit-chain.ts';
import { CallAuditFile, type CallAuditRecorder } from './call-audit-file.ts';

export type { CallAuditRecorder } from './call-audit-file.ts';

/** One call's audit trail: `record` until the call ends, then `close` (which releases the file). */
export interface CallAudit {
  readonly file: string;
  readonly record: CallAuditRecorder;
  close(): Promise<void>;
}

/** Where audit events go; one per gateway, one file per call. */
export interface AuditSink {
  openCall(callId: string): CallAudit;
  /** Calls whose files are still open. */
  readonly openCalls: number;
  /** Resolves once everything recorded so far (and every close asked for) is on disk. */
  flush(): Promise<void>;
  /** Closes every file still open (gateway shutdown). */
  close(): Promise<void>;
}

export interface AuditLogOptions {
  readonly dir: string;
  /** Redact numbers, emails and card-like digits in `data` (policies/guardrails.ts). */
  readonly redactPii: boolean;
  /** For tests: the clock. */
  readonly now?: () => Date;
}

/** Longest part of a file name taken from the Call-ID (it comes from the network). */
const MAX_ID_CHARS = 64;

/**
 * `<YYYY-MM-DD>/<call-id>-<hash>.jsonl` (UTC day of the call's start). The Call-ID (RFC 3261 §8.1.1.4:
 * any `word`, chosen by the caller) is cut to 64 characters of `[A-Za-z0-9._-]`, other characters
 * becoming `_`, so it can neither leave the directory nor grow the name without bound; the hash of
 * the whole Call-ID, the start time and `salt` keeps two calls (or a reused Call-ID) apart.
 */
export function auditFileName(callId: string, start: Date, salt: number): string {
  const safe = callId.slice(0, MAX_ID_CHARS).replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || 'call';
  const short = sha256(`${callId}\n${start.toISOString()}\n${salt}`).slice(0, 12);
  return join(start.toISOString().slice(0, 10), `${safe}-${short}.jsonl`);
}

/**
 * Append-only JSON Lines, one file per call, each hash-chained from its own genesis
 * (call-audit-file.ts, audit-chain.ts). Holds only the calls still open: a call's file is released
 * when the call closes it.
 */
export class AuditLog implements AuditSink {
  readonly #opts: AuditLogOptions;
  readonly #open = new Set<CallAuditFile>();
  readonly #closing = new Set<Promise<void>>();
  readonly #dirs = new Map<string, Promise<void>>();
  #salt = 0;

  constructor(opts: AuditLogOptions) {
    this.#opts = opts;
  }

  get openCalls(): number {
    return this.#open.size;
  }

  openCall(callId: string): CallAudit {
    const now = this.#opts.now ?? (() => new Date());
    const name = auditFileName(callId, now(), this.#salt++);
    const file = join(this.#opts.dir, name);
    const dayDir = join(this.#opts.dir, name.slice(0, 10));
    let dirReady = this.#dirs.get(dayDir);
    if (!dirReady) {
      // One entry per day directory; only today's is kept.
      this.#dirs.clear();
      dirReady = mkdir(dayDir, { recursive: true }).then(
        () => undefined,
        (err: unknown) => {
          this.#dirs.delete(dayDir);
          throw err;
        },
      );
      this.#dirs.set(dayDir, dirReady);
    }
    const f = new CallAuditFile({ file, callId, dirReady, redactPii: this.#opts.redactPii, now });
    this.#open.add(f);
    return {
      file,
      record: f.record,
      close: () => {
        if (!this.#open.delete(f)) return f.flush();
        const done = f.close().finally(() => this.#closing.delete(done));
        this.#closing.add(done);
        return done;
      },
    };
  }

  async flush(): Promise<void> {
    await Promise.all([...[...this.#open].map((f) => f.flush()), ...this.#closing]);
  }

  async close(): Promise<void> {
    const files = [...this.#open];
    this.#open.clear();
    await Promise.all([...files.map((f) => f.close()), ...this.#closing]);
  }
}
