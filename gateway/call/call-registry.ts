import { metrics } from '../metrics.ts';
import type { Call } from './call.ts';

/** Live calls by id. Keeps the active-calls gauge true and lets drain wait for the last call. */
export class CallRegistry {
  readonly #calls = new Map<string, Call>();
  #emptyWaiters: Array<() => void> = [];

  get size(): number {
    return this.#calls.size;
  }

  add(call: Call): void {
    this.#calls.set(call.id, call);
    metrics.activeCalls.set(this.#calls.size);
    call.on('state', (s) => {
      if (s.status === 'ended') this.#remove(call);
    });
  }

  get(id: string): Call | undefined {
    return this.#calls.get(id);
  }

  all(): Call[] {
    return [...this.#calls.values()];
  }

  /** Resolves when no call is left. */
  whenEmpty(): Promise<void> {
    if (this.#calls.size === 0) return Promise.resolve();
    return new Promise((r) => this.#emptyWaiters.push(r));
  }

  #remove(call: Call): void {
    if (this.#calls.get(call.id) !== call) return;
    this.#calls.delete(call.id);
    metrics.activeCalls.set(this.#calls.size);
    if (this.#calls.size === 0) {
      const waiters = this.#emptyWaiters;
      this.#emptyWaiters = [];
      for (const w of waiters) w();
    }
  }
}
