import { createHmac, randomBytes } from 'node:crypto';

/**
 * Nonces for digest challenges (RFC 7616 §3.3 suggests time-stamped, server-keyed nonces):
 * `<issued-ms base36>.<random>.<hmac>` — the HMAC with a per-process secret proves we issued it,
 * the timestamp bounds its life, and a nonce is accepted once only (RFC 3261 §22.4: a server may
 * refuse a reused nonce), so a captured Authorization cannot be replayed. Remembered used nonces
 * are forgotten when they expire, so the set stays bounded by issue rate × TTL.
 */
export type NonceVerdict = 'ok' | 'stale' | 'invalid' | 'replayed';

export class DigestNonces {
  readonly #secret = randomBytes(32);
  readonly #ttlMs: number;
  readonly #used = new Map<string, number>();
  readonly #maxUsed: number;

  constructor(ttlSec: number, maxUsed = 100_000) {
    this.#ttlMs = ttlSec * 1000;
    this.#maxUsed = maxUsed;
  }

  issue(nowMs: number): string {
    const body = `${Math.floor(nowMs).toString(36)}.${randomBytes(9).toString('base64url')}`;
    return `${body}.${this.#mac(body)}`;
  }

  /** Checks a nonce and, when valid, consumes it. */
  consume(nonce: string, nowMs: number): NonceVerdict {
    const dot = nonce.lastIndexOf('.');
    if (dot < 0 || nonce.length > 128) return 'invalid';
    const body = nonce.slice(0, dot);
    if (this.#mac(body) !== nonce.slice(dot + 1)) return 'invalid';
    const issued = parseInt(body.split('.')[0] ?? '', 36);
    if (!Number.isFinite(issued) || issued > nowMs + 1000) return 'invalid';
    if (nowMs - issued > this.#ttlMs) return 'stale';
    this.#sweep(nowMs);
    if (this.#used.has(nonce)) return 'replayed';
    if (this.#used.size >= this.#maxUsed) return 'stale'; // bounded: ask for a fresh nonce under attack
    this.#used.set(nonce, issued);
    return 'ok';
  }

  #sweep(nowMs: number): void {
    // Insertion order is roughly issue order; stop at the first one still alive.
    for (const [n, issued] of this.#used) {
      if (nowMs - issued <= this.#ttlMs) break;
      this.#used.delete(n);
    }
  }

  #mac(body: string): string {
    return createHmac('sha256', this.#secret).update(body).digest('base64url').slice(0, 22);
  }
}
