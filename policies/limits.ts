import type { PersonaLimits } from './personas.ts';

/**
 * Per-call limits (pure): how long a call may last and how many tool calls it may make. The
 * gateway-wide ceiling (calls.maxDurationSec) always holds; a persona can only tighten it.
 */
export function maxCallSec(gatewayMaxSec: number, persona?: PersonaLimits): number {
  const p = persona?.maxCallSec;
  return p !== undefined && p > 0 ? Math.min(gatewayMaxSec, p) : gatewayMaxSec;
}

/** Counts tool calls of one call against its persona's budget. */
export class ToolBudget {
  #used = 0;
  constructor(readonly max: number) {}

  get used(): number {
    return this.#used;
  }

  /** Takes one call from the budget; false when it is spent (the call is refused, not run). */
  take(): boolean {
    if (this.#used >= this.max) return false;
    this.#used++;
    return true;
  }
}
