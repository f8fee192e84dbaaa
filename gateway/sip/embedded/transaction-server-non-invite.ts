import type { Clock, TimerHandle } from './clock.ts';
import type { SipRequest, SipResponse } from './message.ts';
import { TIMEOUT_64T1, type ResponseSender, type ServerTransaction } from './transaction.ts';
import { metrics, methodLabel } from '../../metrics.ts';

/**
 * Non-INVITE server transaction, RFC 3261 §17.2.2 (BYE, CANCEL, OPTIONS, INFO, …):
 *
 *   request retransmission ──▶ Trying: discarded (the TU has said nothing yet)
 *                              Proceeding: re-send the last provisional
 *                              Completed: re-send the final response
 *
 *   Trying ──1xx──▶ Proceeding ──final──▶ Completed ──Timer J──▶ Terminated
 *      └────────────final────────────────────┘
 *
 * Timer J is 64*T1 on UDP (to absorb retransmissions of the request) and 0 on TCP.
 */
export type ServerNonInviteState = 'trying' | 'proceeding' | 'completed' | 'terminated';

export interface ServerNonInviteOptions {
  readonly key: string;
  readonly request: SipRequest;
  readonly reliable: boolean;
  readonly clock: Clock;
  readonly send: ResponseSender;
  readonly onTerminated?: () => void;
}

export class ServerNonInviteTransaction implements ServerTransaction {
  readonly key: string;
  readonly request: SipRequest;
  #state: ServerNonInviteState = 'trying';
  #last: SipResponse | undefined;
  #timerJ: TimerHandle | undefined;

  constructor(private readonly opts: ServerNonInviteOptions) {
    this.key = opts.key;
    this.request = opts.request;
  }

  get state(): ServerNonInviteState {
    return this.#state;
  }

  get finalSent(): boolean {
    return this.#state === 'completed' || this.#state === 'terminated';
  }

  respond(res: SipResponse): void {
    if (this.#state === 'completed' || this.#state === 'terminated') return;
    this.#last = res;
    this.opts.send(res, false);
    if (res.status < 200) {
      this.#state = 'proceeding';
      return;
    }
    this.#state = 'completed';
    if (this.opts.reliable) {
      this.#terminated();
      return;
    }
    this.#timerJ = this.opts.clock.setTimeout(() => this.#terminated(), TIMEOUT_64T1);
  }

  receiveRetransmission(): void {
    if (this.#state === 'trying' || this.#state === 'terminated' || this.#last === undefined) return;
    metrics.sipRetransmissions.inc({ method: methodLabel(this.request.method) });
    this.opts.send(this.#last, true);
  }

  terminate(): void {
    if (this.#state !== 'terminated') this.#terminated();
  }

  #terminated(): void {
    this.#state = 'terminated';
    this.opts.clock.clearTimeout(this.#timerJ);
    this.opts.onTerminated?.();
  }
}
