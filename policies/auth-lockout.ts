/**
 * Lockout after repeated authentication failures from one source (fail2ban / Kamailio pike style):
 * `maxFailures` within `windowMs` locks the source for `lockoutMs`; while locked its requests are
 * dropped without an answer, so a brute-forcer learns nothing and spends its own time. Bounded:
 * at most `maxKeys` sources are tracked (oldest forgotten first).
 */
export interface LockoutOptions {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly lockoutMs: number;
  readonly maxKeys?: number;
}

export class AuthLockout {
  readonly #o: LockoutOptions;
  readonly #entries = new Map<string, { failures: number[]; lockedUntil: number }>();

  constructor(opts: LockoutOptions) {
    this.#o = opts;
  }

  isLocked(key: string, nowMs: number): boolean {
    const e = this.#entries.get(key);
    return e !== undefined && e.lockedUntil > nowMs;
  }

  /** Records a failure; true when it locked the source. */
  fail(key: string, nowMs: number): boolean {
    let e = this.#entries.get(key);
    if (e === undefined) {
      if (this.#entries.size >= (this.#o.maxKeys ?? 10_000)) {
        const oldest = this.#entries.keys().next();
        if (!oldest.done) this.#entries.delete(oldest.value);
      }
      e = { failures: [], lockedUntil: 0 };
      this.#entries.set(key, e);
    }
    e.failures = e.failures.filter((t) => nowMs - t < this.#o.windowMs);
    e.failures.push(nowMs);
    if (e.failures.length >= this.#o.maxFailures) {
      e.lockedUntil = nowMs + this.#o.lockoutMs;
      e.failures = [];
      return true;
    }
    return false;
  }

  succeed(key: string): void {
    const e = this.#entries.get(key);
    if (e !== undefined && e.lockedUntil === 0) this.#entries.delete(key);
  }
}
