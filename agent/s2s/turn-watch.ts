/** Timer functions, injectable so tests drive time by hand. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  now: () => performance.now(),
};

export type TurnKind = 'greeting' | 'reply' | 'tool';

/**
 * One turn's clock: armed when the model owes the caller audio (greeting requested, caller stopped
 * speaking, tool results sent), it measures time to first agent audio (TTFA) and fires `onSilent`
 * if none comes within `timeoutMs`, so a silent provider never leaves the caller in dead air.
 */
export class TurnWatch {
  readonly #timers: Timers;
  readonly #timeoutMs: number;
  readonly #onSilent: () => void;
  #handle: unknown;
  #turn: { kind: TurnKind; startedAt: number } | undefined;

  constructor(timers: Timers, timeoutMs: number, onSilent: () => void) {
    this.#timers = timers;
    this.#timeoutMs = timeoutMs;
    this.#onSilent = onSilent;
  }

  get armed(): boolean {
    return this.#turn !== undefined;
  }

  /**
   * The model owes audio from `startedAt` (ms, same clock as `timers.now`; may lie in the past when
   * the caller's speech ended before the VAD said so). The silence deadline counts from now.
   */
  arm(kind: TurnKind, startedAt: number = this.#timers.now()): void {
    this.disarm();
    this.#turn = { kind, startedAt };
    this.#handle = this.#timers.setTimeout(() => {
      this.#handle = undefined;
      this.#turn = undefined;
      this.#onSilent();
    }, this.#timeoutMs);
  }

  /** First agent audio of the turn arrived: returns the turn and its TTFA in ms, or undefined if none was armed. */
  audio(): { kind: TurnKind; ttfaMs: number } | undefined {
    const t = this.#turn;
    if (!t) return undefined;
    this.disarm();
    return { kind: t.kind, ttfaMs: Math.max(0, this.#timers.now() - t.startedAt) };
  }

  disarm(): void {
    if (this.#handle !== undefined) this.#timers.clearTimeout(this.#handle);
    this.#handle = undefined;
    this.#turn = undefined;
  }
}
