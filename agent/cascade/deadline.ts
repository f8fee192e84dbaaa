import { performance } from 'node:perf_hooks';

/**
 * One wake-up at a moment on the performance.now clock, re-armed as the moment moves. The session
 * uses it for the endpointing deadline (turn-taking.ts endpointDeadline), so a turn ends when its
 * silence runs out rather than on the next VAD chunk (32 ms) or reducer tick (50 ms).
 */
export class Deadline {
  #at: number | null = null;
  #timer: NodeJS.Timeout | undefined;

  /** Calls `fn` at `at` (or never, for null); arming the same moment again changes nothing. */
  arm(at: number | null, fn: () => void): void {
    if (at === this.#at && (this.#timer || at === null)) return;
    this.clear();
    this.#at = at;
    if (at === null) return;
    // setTimeout counts from the event loop's cached time and may fire a little early: the callback
    // re-checks through the reducer, which re-arms for what is left.
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#at = null;
      fn();
    }, Math.max(0, Math.ceil(at - performance.now())));
  }

  clear(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#at = null;
  }
}
