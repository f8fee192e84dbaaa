/**
 * SIP session timers (RFC 4028), UAS side. `negotiateSessionTimer` is pure: from the INVITE's
 * Session-Expires / Min-SE / Supported and our limits it decides to refuse (422 + Min-SE, §9 ¶2),
 * to run no timer, or the interval and who refreshes (§9 table). `SessionTimer` then runs it:
 *
 *   refresher = uas (us):    at interval/2 send a refresh: UPDATE without a body (§7.4 / RFC 3311), or
 *                            a re-INVITE with our current SDP when the peer's Allow lacks UPDATE (§9)
 *   refresher = uac (peer):  a refresh must arrive before interval - min(32, interval/3) (§10),
 *                            else we end the session with a BYE
 *
 * Every refresh in either direction (a re-INVITE or UPDATE) restarts the interval (§10).
 */
import type { SipRequest } from './message.ts';
import type { Clock, TimerHandle } from './clock.ts';
import { metrics } from '../../metrics.ts';

export interface SessionTimerLimits {
  readonly enabled: boolean;
  /** Our Min-SE (seconds, ≥ 90 per §4). */
  readonly minSE: number;
  /** The interval we ask for when the request names none. */
  readonly sessionExpires: number;
}

export type Refresher = 'uac' | 'uas';

export type SessionTimerPlan =
  | { readonly kind: 'none' }
  | { readonly kind: 'too-small'; readonly minSE: number }
  | { readonly kind: 'run'; readonly interval: number; readonly refresher: Refresher; readonly uacSupports: boolean };

function deltaOf(value: string | undefined): { delta: number; params: string } | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*([0-9]{1,10})\s*(;.*)?$/.exec(value);
  if (!m) return undefined;
  return { delta: Number(m[1]), params: (m[2] ?? '').toLowerCase() };
}

function listHas(values: readonly string[], token: string): boolean {
  return values.some((v) => v.split(',').some((t) => t.trim().toLowerCase() === token));
}

export function negotiateSessionTimer(req: SipRequest, limits: SessionTimerLimits): SessionTimerPlan {
  if (!limits.enabled) return { kind: 'none' };
  const se = deltaOf(req.headers.get('Session-Expires'));
  const reqMinSE = deltaOf(req.headers.get('Min-SE'))?.delta ?? 0;
  const uacSupports = listHas(req.headers.getAll('Supported'), 'timer') || listHas(req.headers.getAll('Require'), 'timer');
  // §9: a Session-Expires below our minimum is refused with 422 naming it.
  if (se !== undefined && se.delta < limits.minSE) return { kind: 'too-small', minSE: limits.minSE };
  const floor = Math.max(limits.minSE, reqMinSE);
  // We may shorten the interval the caller asked for, never below either side's Min-SE (§9).
  const interval = se === undefined ? Math.max(floor, limits.sessionExpires) : Math.max(floor, Math.min(se.delta, limits.sessionExpires));
  const asked = /;\s*refresher\s*=\s*(uac|uas)\b/.exec(se?.params ?? '')?.[1] as Refresher | undefined;
  // §9 table: a caller without the extension cannot refresh, so we do; otherwise its choice, else it.
  const refresher: Refresher = !uacSupports ? 'uas' : (asked ?? 'uac');
  return { kind: 'run', interval, refresher, uacSupports };
}

/** Headers of a 2xx that runs the timer (§9): Session-Expires, and Require: timer when the UAC refreshes. */
export function sessionTimerHeaders(plan: SessionTimerPlan): Record<string, string> {
  if (plan.kind !== 'run') return {};
  return {
    'Session-Expires': `${plan.interval};refresher=${plan.refresher}`,
    ...(plan.refresher === 'uac' ? { Require: 'timer' } : {}),
  };
}

export interface SessionTimerHooks {
  readonly clock: Clock;
  /** Sends our refresh; resolves false when the peer refused it or never answered (§10: end the session). */
  refresh(): Promise<boolean>;
  /** The session expired: send BYE. */
  expire(): void;
}

/** Runs a negotiated timer for one dialog; `stop()` on dialog end clears everything it set. */
export class SessionTimer {
  readonly #plan: Extract<SessionTimerPlan, { kind: 'run' }>;
  readonly #hooks: SessionTimerHooks;
  #timer: TimerHandle | undefined;
  #stopped = false;

  constructor(plan: Extract<SessionTimerPlan, { kind: 'run' }>, hooks: SessionTimerHooks) {
    this.#plan = plan;
    this.#hooks = hooks;
  }

  get plan(): Extract<SessionTimerPlan, { kind: 'run' }> {
    return this.#plan;
  }

  /** Starts (or restarts, after any refresh) the interval. */
  restart(): void {
    if (this.#stopped) return;
    this.#hooks.clock.clearTimeout(this.#timer);
    const ms = this.#plan.interval * 1000;
    if (this.#plan.refresher === 'uas') {
      this.#timer = this.#hooks.clock.setTimeout(() => this.#refresh(), ms / 2);
    } else {
      const before = Math.min(32, this.#plan.interval / 3) * 1000;
      this.#timer = this.#hooks.clock.setTimeout(() => this.#expire(), ms - before);
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#hooks.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #refresh(): void {
    this.#timer = undefined;
    this.#hooks.refresh().then(
      (ok) => (ok ? this.restart() : this.#expire()),
      () => this.#expire(),
    );
  }

  #expire(): void {
    if (this.#stopped) return;
    this.stop();
    this.#hooks.expire();
  }
}

/** What a dialog lends its timer: its state, a way to send a body-less UPDATE, and BYE. */
export interface DialogTimerOps {
  confirmed(): boolean;
  update(): Promise<{ readonly status: number } | undefined>;
  /** Present when the refresh must be a re-INVITE (the peer does not allow UPDATE). */
  reinvite?(): Promise<{ readonly status: number } | undefined>;
  bye(headers: Readonly<Record<string, string>>): Promise<void>;
}

/**
 * The timer of one dialog, or undefined when none was negotiated. Our refresh is an UPDATE without a
 * body (§7.4), or a re-INVITE when the dialog offers one (§9); a 408/481 or no answer at all ends the session (§10), any other refusal keeps it.
 */
export function dialogSessionTimer(plan: SessionTimerPlan | undefined, clock: Clock, ops: DialogTimerOps): SessionTimer | undefined {
  if (plan?.kind !== 'run') return undefined;
  return new SessionTimer(plan, {
    clock,
    refresh: async () => {
      if (!ops.confirmed()) return true;
      const res = ops.reinvite !== undefined ? await ops.reinvite() : await ops.update();
      return res !== undefined && res.status !== 408 && res.status !== 481;
    },
    expire: () => {
      metrics.sessionTimerExpired.inc();
      void ops.bye({ Reason: 'SIP;cause=408;text="Session timer expired"' }).catch(() => undefined);
    },
  });
}
