import type { ReferOptions, ReferOutcome } from '../dialog.ts';
import type { Clock, TimerHandle } from './clock.ts';
import type { SipRequest, SipResponse } from './message.ts';
import { parseSipfragStatus } from './sipfrag.ts';

/** RFC 3515 gives no bound; 30 s covers a target that rings for a while, the usual no-answer timer. */
export const DEFAULT_REFER_TIMEOUT_MS = 30_000;

/**
 * The referrer's side of one blind transfer (RFC 3515), after the dialog has sent the REFER:
 *
 *   REFER ──2xx──▶ subscribed ──NOTIFY sipfrag 1xx──▶ (progress) ──NOTIFY sipfrag 2xx──▶ ok
 *     │                 │                              NOTIFY sipfrag 3xx-6xx ─────────▶ failed
 *     │                 │        Subscription-State: terminated without a final ───────▶ failed
 *     └─3xx-6xx─────────┼──────────────────────────────────────────────────────────────▶ rejected
 *     (Timer F, or no final sipfrag within timeoutMs) ─────────────────────────────────▶ timeout
 *                       the dialog ends first ──────────────────────────────────────────▶ ended
 *
 * NOTIFYs may arrive before the REFER's 2xx (RFC 6665 §4.1.2.4 allows it); they are taken as they
 * come. Every NOTIFY of the subscription is answered 200 (§2.4.5: the referrer only listens).
 * Settles exactly once; late messages change nothing.
 */
export class OutgoingRefer {
  readonly outcome: Promise<ReferOutcome>;
  /** The REFER's CSeq number: the `id` its NOTIFYs carry in `Event: refer;id=…` (§2.4.6). */
  readonly cseq: number;
  #settle: (o: ReferOutcome) => void = () => undefined;
  #settled = false;
  #timer: TimerHandle | undefined;
  readonly #clock: Clock;
  readonly #onProgress: ((status: number) => void) | undefined;

  constructor(cseq: number, clock: Clock, opts: ReferOptions = {}) {
    this.cseq = cseq;
    this.#clock = clock;
    this.#onProgress = opts.onProgress;
    this.outcome = new Promise((resolve) => (this.#settle = resolve));
    this.#timer = clock.setTimeout(() => this.#finish({ ok: false, stage: 'timeout' }), opts.timeoutMs ?? DEFAULT_REFER_TIMEOUT_MS);
  }

  get settled(): boolean {
    return this.#settled;
  }

  /** The REFER's final response, or undefined when its transaction timed out (Timer F). */
  responded(res: SipResponse | undefined): void {
    if (res === undefined) return this.#finish({ ok: false, stage: 'timeout' });
    if (res.status >= 300) this.#finish({ ok: false, stage: 'rejected', status: res.status });
  }

  /** Whether a NOTIFY belongs to this REFER's subscription (Event package `refer`, matching id if any). */
  matches(req: SipRequest): boolean {
    const event = parseEvent(req.headers.get('Event'));
    return event !== undefined && event.pkg === 'refer' && (event.id === undefined || event.id === String(this.cseq));
  }

  /** A NOTIFY of the subscription; returns the status to answer it with. */
  receiveNotify(req: SipRequest): number {
    const status = parseSipfragStatus(req.headers.get('Content-Type'), req.body);
    const terminated = (req.headers.get('Subscription-State') ?? '').split(';')[0]?.trim().toLowerCase() === 'terminated';
    if (status !== undefined && status < 200) this.#onProgress?.(status);
    else if (status !== undefined && status < 300) this.#finish({ ok: true, status });
    else if (status !== undefined) this.#finish({ ok: false, stage: 'failed', status });
    // §2.4.7 / RFC 6665: a terminated subscription with no final result tells us nothing more will come.
    if (terminated) this.#finish({ ok: false, stage: 'failed' });
    // A body we cannot read is still answered 200: refusing it would end the subscription (RFC 6665 §4.1.3).
    return 200;
  }

  /** The dialog ended before the outcome was known. */
  dialogEnded(): void {
    this.#finish({ ok: false, stage: 'ended' });
  }

  #finish(o: ReferOutcome): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#settle(o);
  }
}

/** `Event: refer;id=93809824` → { pkg: 'refer', id: '93809824' } (RFC 6665 §8.2.1). */
export function parseEvent(value: string | undefined): { pkg: string; id: string | undefined } | undefined {
  if (value === undefined) return undefined;
  const [pkg, ...params] = value.split(';').map((p) => p.trim());
  if (!pkg) return undefined;
  let id: string | undefined;
  for (const p of params) {
    const [k, v] = p.split('=');
    if (k?.trim().toLowerCase() === 'id' && v !== undefined) id = v.trim();
  }
  return { pkg: pkg.toLowerCase(), id };
}
