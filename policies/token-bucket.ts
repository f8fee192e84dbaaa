import type { RateConfig } from '../config/types.ts';

/**
 * Token buckets keyed by a string (a source address, a trunk name): each holds up to `burst`
 * tokens, refilled at `ratePerSec`; a request takes one or is over the limit. The table is bounded
 * (`maxKeys`): when full, full (idle) buckets are forgotten first — an idle key loses nothing by it —
 * and if none is idle the oldest entry goes. A pure state machine: time comes in as an argument.
 */
export class TokenBuckets {
  readonly #rate: number;
  readonly #burst: number;
  readonly #maxKeys: number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(rate: RateConfig, maxKeys = 10_000) {
    this.#rate = rate.ratePerSec;
    this.#burst = rate.burst;
    this.#maxKeys = maxKeys;
  }

  get unlimited(): boolean {
    return this.#rate <= 0;
  }

  /** Takes a token for `key` at `nowMs`; false when the key is over its rate. */
  take(key: string, nowMs: number): boolean {
    if (this.unlimited) return true;
    let b = this.#buckets.get(key);
    if (b === undefined) {
      this.#evictIfFull(nowMs);
      b = { tokens: this.#burst, at: nowMs };
      this.#buckets.set(key, b);
    }
    b.tokens = Math.min(this.#burst, b.tokens + ((nowMs - b.at) * this.#rate) / 1000);
    b.at = nowMs;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Seconds until `key` has a token again (for Retry-After), at least 1. */
  retryAfterSec(key: string, nowMs: number): number {
    const b = this.#buckets.get(key);
    if (b === undefined || this.unlimited) return 1;
    const tokens = Math.min(this.#burst, b.tokens + ((nowMs - b.at) * this.#rate) / 1000);
    return Math.max(1, Math.ceil((1 - tokens) / this.#rate));
  }

  get size(): number {
    return this.#buckets.size;
  }

  #evictIfFull(nowMs: number): void {
    if (this.#buckets.size < this.#maxKeys) return;
    for (const [k, b] of this.#buckets) {
      if (b.tokens + ((nowMs - b.at) * this.#rate) / 1000 >= this.#burst) this.#buckets.delete(k);
    }
    if (this.#buckets.size >= this.#maxKeys) {
      const oldest = this.#buckets.keys().next();
      if (!oldest.done) this.#buckets.delete(oldest.value);
    }
  }
}
