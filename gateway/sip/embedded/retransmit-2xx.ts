import type { Clock, TimerHandle } from './clock.ts';
import type { SipResponse } from './message.ts';
import { T1, TIMEOUT_64T1, backoff } from './transaction.ts';
import { metrics } from '../../metrics.ts';

/**
 * The UAS core's 2xx retransmission, RFC 3261 §13.3.1.4: the INVITE server transaction ends (or, per
 * RFC 6026, only absorbs) once it sends a 2xx, so the core itself re-sends the 2xx — first after T1,
 * the interval doubling up to T2 — until the ACK arrives. With no ACK after 64*T1 the dialog is
 * confirmed but the session SHOULD be ended (the dialog then sends BYE).
 *
 * The 2xx is re-sent on reliable transports too: a proxy on the way may be on UDP (§13.3.1.4 makes no
 * exception for TCP).
 */
export class Retransmit2xx {
  #interval = T1;
  #timer: TimerHandle | undefined;
  #giveUp: TimerHandle | undefined;
  #done = false;

  constructor(
    private readonly opts: {
      readonly clock: Clock;
      readonly response: SipResponse;
      readonly send: (res: SipResponse) => void;
      /** No ACK within 64*T1. */
      readonly onTimeout: () => void;
    },
  ) {}

  /** Arms the schedule; the first send is the INVITE server transaction's (it must see the 2xx). */
  start(): void {
    this.#arm();
    this.#giveUp = this.opts.clock.setTimeout(() => {
      this.stop();
      this.opts.onTimeout();
    }, TIMEOUT_64T1);
  }

  /** The ACK arrived (or the dialog ended). Idempotent. */
  stop(): void {
    if (this.#done) return;
    this.#done = true;
    this.opts.clock.clearTimeout(this.#timer);
    this.opts.clock.clearTimeout(this.#giveUp);
  }

  get active(): boolean {
    return !this.#done;
  }

  #arm(): void {
    this.#timer = this.opts.clock.setTimeout(() => {
      if (this.#done) return;
      metrics.sipRetransmissions.inc({ method: 'INVITE' });
      this.opts.send(this.opts.response);
      this.#interval = backoff(this.#interval);
      this.#arm();
    }, this.#interval);
  }
}
