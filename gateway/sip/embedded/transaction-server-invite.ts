import type { Clock, TimerHandle } from './clock.ts';
import type { SipRequest, SipResponse } from './message.ts';
import { T1, T4, TIMEOUT_64T1, backoff, type ResponseSender, type ServerTransaction } from './transaction.ts';
import { metrics } from '../../metrics.ts';

/**
 * INVITE server transaction, RFC 3261 §17.2.1 with the "Accepted" state of RFC 6026 §7.1:
 *
 *                     |INVITE  → send 100 Trying
 *                     V
 *   INVITE  +-----------+  1xx from TU → send
 *   resend  | Proceeding|
 *   last 1xx+-----------+
 *        2xx from TU |    \ 300-699 from TU → send, Timer G (UDP), Timer H
 *            → send  |     \
 *                    V      V
 *            +--------+    +-----------+  INVITE → resend final; Timer G → resend, G = min(2G, T2)
 *            |Accepted|    | Completed |  Timer H (64*T1) → timeout to TU, Terminated
 *            +--------+    +-----------+
 *   INVITE absorbed;  |          | ACK → Timer I (T4 on UDP, 0 on TCP)
 *   2xx retransmission|          V
 *   is the TU's job   |    +-----------+
 *   (§13.3.1.4)       |    | Confirmed |  ACKs absorbed
 *   Timer L (64*T1)   |    +-----------+
 *                    V          | Timer I
 *               Terminated <----+
 */
export type ServerInviteState = 'proceeding' | 'accepted' | 'completed' | 'confirmed' | 'terminated';

export interface ServerInviteOptions {
  readonly key: string;
  readonly request: SipRequest;
  /** TCP: no retransmissions, Timer I = 0. */
  readonly reliable: boolean;
  readonly clock: Clock;
  readonly send: ResponseSender;
  /** The 100 Trying sent at once (§17.2.1: we never know the TU will answer within 200 ms). */
  readonly trying?: SipResponse;
  /** Timer H fired: our non-2xx final was never ACKed. */
  readonly onTimeout?: () => void;
  /** The transaction is over; the owner removes it from its table. */
  readonly onTerminated?: () => void;
}

export class ServerInviteTransaction implements ServerTransaction {
  readonly key: string;
  readonly request: SipRequest;
  #state: ServerInviteState = 'proceeding';
  #last: SipResponse | undefined;
  #timerG: TimerHandle | undefined;
  #intervalG = T1;
  #timerEnd: TimerHandle | undefined;

  constructor(private readonly opts: ServerInviteOptions) {
    this.key = opts.key;
    this.request = opts.request;
    if (opts.trying) this.respond(opts.trying);
  }

  get state(): ServerInviteState {
    return this.#state;
  }

  get finalSent(): boolean {
    return this.#state !== 'proceeding';
  }

  respond(res: SipResponse): void {
    if (this.#state !== 'proceeding') return; // §17.2.1: once final, the TU's later responses are ignored
    this.#last = res;
    this.opts.send(res, false);
    if (res.status < 200) return;
    if (res.status < 300) {
      // RFC 6026 §7.1: stay around for 64*T1 so INVITE retransmissions are absorbed, not new calls.
      this.#state = 'accepted';
      this.#timerEnd = this.opts.clock.setTimeout(() => this.#terminated(), TIMEOUT_64T1);
      return;
    }
    this.#state = 'completed';
    if (!this.opts.reliable) this.#armG();
    this.#timerEnd = this.opts.clock.setTimeout(() => {
      // Timer H: the ACK never came.
      this.#terminated();
      this.opts.onTimeout?.();
    }, TIMEOUT_64T1);
  }

  receiveRetransmission(): void {
    if ((this.#state === 'proceeding' || this.#state === 'completed') && this.#last !== undefined) {
      metrics.sipRetransmissions.inc({ method: 'INVITE' });
      this.opts.send(this.#last, true);
    }
  }

  /** An ACK matched this transaction (only for non-2xx finals: the 2xx ACK is a separate transaction). */
  receiveAck(): void {
    if (this.#state !== 'completed') return;
    this.#state = 'confirmed';
    this.opts.clock.clearTimeout(this.#timerG);
    this.opts.clock.clearTimeout(this.#timerEnd);
    this.#timerEnd = this.opts.clock.setTimeout(() => this.#terminated(), this.opts.reliable ? 0 : T4);
  }

  terminate(): void {
    if (this.#state !== 'terminated') this.#terminated();
  }

  #armG(): void {
    this.#timerG = this.opts.clock.setTimeout(() => {
      if (this.#state !== 'completed' || this.#last === undefined) return;
      metrics.sipRetransmissions.inc({ method: 'INVITE' });
      this.opts.send(this.#last, true);
      this.#intervalG = backoff(this.#intervalG);
      this.#armG();
    }, this.#intervalG);
  }

  #terminated(): void {
    this.#state = 'terminated';
    this.opts.clock.clearTimeout(this.#timerG);
    this.opts.clock.clearTimeout(this.#timerEnd);
    this.opts.onTerminated?.();
  }
}
