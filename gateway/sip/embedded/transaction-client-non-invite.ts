import type { Clock, TimerHandle } from './clock.ts';
import type { SipRequest, SipResponse } from './message.ts';
import { T1, T2, T4, TIMEOUT_64T1, backoff, type RequestSender } from './transaction.ts';
import { metrics, methodLabel } from '../../metrics.ts';

/**
 * Non-INVITE client transaction, RFC 3261 §17.1.2 (the BYE, INFO, NOTIFY we send):
 *
 *   start → send; Timer E = T1 (UDP only), Timer F = 64*T1
 *
 *   Trying ──1xx──▶ Proceeding           Timer E in Trying: resend, E = min(2E, T2)
 *     │                │                  Timer E in Proceeding: resend, E = T2
 *     └──200-699───────┴──▶ Completed ──Timer K (T4 UDP, 0 TCP)──▶ Terminated
 *   Timer F (either state) → timeout to the TU, Terminated
 *
 * The final response is reported once; retransmitted finals in Completed are absorbed.
 */
export type ClientNonInviteState = 'trying' | 'proceeding' | 'completed' | 'terminated';

export interface ClientNonInviteOptions {
  /** Matching key for responses (branch + CSeq method, §17.1.3). */
  readonly key: string;
  readonly request: SipRequest;
  readonly reliable: boolean;
  readonly clock: Clock;
  readonly send: RequestSender;
  /** The final response (200-699). */
  readonly onFinal: (res: SipResponse) => void;
  /** Timer F: no final response in 64*T1. */
  readonly onTimeout: () => void;
  readonly onTerminated?: () => void;
}

export class ClientNonInviteTransaction {
  readonly key: string;
  readonly request: SipRequest;
  #state: ClientNonInviteState = 'trying';
  #intervalE = T1;
  #timerE: TimerHandle | undefined;
  #timerF: TimerHandle | undefined;
  #timerK: TimerHandle | undefined;

  constructor(private readonly opts: ClientNonInviteOptions) {
    this.key = opts.key;
    this.request = opts.request;
  }

  get state(): ClientNonInviteState {
    return this.#state;
  }

  start(): void {
    this.opts.send(this.opts.request, false);
    if (!this.opts.reliable) this.#armE();
    this.#timerF = this.opts.clock.setTimeout(() => {
      if (this.#state !== 'trying' && this.#state !== 'proceeding') return;
      this.#terminated();
      this.opts.onTimeout();
    }, TIMEOUT_64T1);
  }

  receiveResponse(res: SipResponse): void {
    if (this.#state === 'completed' || this.#state === 'terminated') return;
    if (res.status < 200) {
      this.#state = 'proceeding';
      return;
    }
    this.#state = 'completed';
    this.opts.clock.clearTimeout(this.#timerE);
    this.opts.clock.clearTimeout(this.#timerF);
    this.#timerK = this.opts.clock.setTimeout(() => this.#terminated(), this.opts.reliable ? 0 : T4);
    this.opts.onFinal(res);
  }

  terminate(): void {
    if (this.#state !== 'terminated') this.#terminated();
  }

  #armE(): void {
    this.#timerE = this.opts.clock.setTimeout(() => {
      if (this.#state !== 'trying' && this.#state !== 'proceeding') return;
      metrics.sipRetransmissions.inc({ method: methodLabel(this.request.method) });
      this.opts.send(this.opts.request, true);
      // §17.1.2.2: in Proceeding the interval is T2; in Trying it doubles up to T2.
      this.#intervalE = this.#state === 'proceeding' ? T2 : backoff(this.#intervalE);
      this.#armE();
    }, this.#intervalE);
  }

  #terminated(): void {
    this.#state = 'terminated';
    this.opts.clock.clearTimeout(this.#timerE);
    this.opts.clock.clearTimeout(this.#timerF);
    this.opts.clock.clearTimeout(this.#timerK);
    this.opts.onTerminated?.();
  }
}
