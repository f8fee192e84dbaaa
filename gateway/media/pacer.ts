/**
 * One drift-corrected 20 ms clock shared by every call (discord.js voice's cycle: the next deadline
 * is the previous deadline plus 20 ms, never "now + 20", so timer lateness does not accumulate).
 * Each leg registers a tick; a tick that throws is reported and does not stop the others.
 */
export type Tick = () => void;

export interface PacerOptions {
  readonly intervalMs?: number;
  /** When the loop falls this far behind (a stalled event loop), it resynchronises instead of bursting. */
  readonly maxLagMs?: number;
  readonly onTickError?: (err: unknown) => void;
  /** Told how many ticks a resynchronisation skipped (for a metric). */
  readonly onSkip?: (ticks: number) => void;
  readonly now?: () => number;
}

export class Pacer {
  readonly intervalMs: number;
  readonly #maxLag: number;
  readonly #ticks = new Set<Tick>();
  readonly #onError: (err: unknown) => void;
  readonly #onSkip: (ticks: number) => void;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #next = 0;
  /** Ticks skipped by resynchronisation after a stall. */
  skipped = 0;

  constructor(opts: PacerOptions = {}) {
    this.intervalMs = opts.intervalMs ?? 20;
    this.#maxLag = opts.maxLagMs ?? 100;
    this.#onError = opts.onTickError ?? (() => {});
    this.#onSkip = opts.onSkip ?? (() => {});
    this.#now = opts.now ?? (() => performance.now());
  }

  get size(): number {
    return this.#ticks.size;
  }

  /** Registers a tick; returns the function that removes it. The clock runs while any tick is registered. */
  add(tick: Tick): () => void {
    this.#ticks.add(tick);
    if (!this.#timer) {
      this.#next = this.#now() + this.intervalMs;
      this.#schedule();
    }
    return () => {
      this.#ticks.delete(tick);
      if (this.#ticks.size === 0 && this.#timer) {
        clearTimeout(this.#timer);
        this.#timer = undefined;
      }
    };
  }

  stop(): void {
    this.#ticks.clear();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    this.#timer = setTimeout(() => this.#cycle(), Math.max(0, this.#next - this.#now()));
  }

  #cycle(): void {
    const lag = this.#now() - this.#next;
    if (lag > this.#maxLag) {
      const missed = Math.floor(lag / this.intervalMs);
      this.skipped += missed;
      this.#onSkip(missed);
      this.#next += missed * this.intervalMs;
    }
    for (const t of [...this.#ticks]) {
      try {
        t();
      } catch (err) {
        this.#onError(err);
      }
    }
    this.#next += this.intervalMs;
    if (this.#ticks.size > 0) this.#schedule();
    else this.#timer = undefined;
  }
}
