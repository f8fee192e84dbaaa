import type { Clock, TimerHandle } from './clock.ts';
import type { SipRequest, SipResponse } from './message.ts';
import { Headers } from './headers.ts';
import { TIMEOUT_64T1, T1, type RequestSender } from './transaction.ts';
import { metrics, methodLabel } from '../../metrics.ts';

/**
 * INVITE client transaction, RFC 3261 §17.1.1 with the Accepted state of RFC 6026 §7.2 (the
 * re-INVITE a session-timer refresh sends, RFC 4028 §9):
 *
 *   start → send; Timer A = T1 (UDP only, doubles each firing, §17.1.1.2), Timer B = 64*T1
 *
 *   Calling ──1xx──▶ Proceeding         Timer A fires only in Calling
 *     │                 │
 *     ├──2xx────────────┴──▶ Accepted  ──Timer M (64*T1)──▶ Terminated
 *     │                       2xx retransmissions go to the TU, which re-sends its ACK (§13.2.2.4)
 *     └──300-699───────────▶ Completed ──Timer D (32 s UDP, 0 TCP)──▶ Terminated
 *                             the transaction ACKs each final it receives (§17.1.1.3)
 *   Timer B in Calling/Proceeding → timeout to the TU, Terminated
 *
 * The ACK for a 2xx is the dialog's (a separate request, §13.2.2.4); the ACK for a non-2xx is ours.
 */
export type ClientInviteState = 'calling' | 'proceeding' | 'accepted' | 'completed' | 'terminated';

/** Timer D for unreliable transports (§17.1.1.2: at least 32 s). */
export const TIMER_D_UDP = 32_000;

export interface ClientInviteOptions {
  readonly key: string;
  readonly request: SipRequest;
  readonly reliable: boolean;
  readonly clock: Clock;
  readonly send: RequestSender;
  /** The first final response (200-699). */
  readonly onFinal: (res: SipResponse) => void;
  /** A 2xx that arrived again in Accepted: the TU re-sends its ACK. */
  readonly onRetransmitted2xx?: (res: SipResponse) => void;
  /** Timer B: no final response in 64*T1. */
  readonly onTimeout: () => void;
  readonly onTerminated?: () => void;
}

export class ClientInviteTransaction {
  readonly key: string;
  readonly request: SipRequest;
  #state: ClientInviteState = 'calling';
  #intervalA = T1;
  #timerA: TimerHandle | undefined;
  #timerB: TimerHandle | undefined;
  #timerEnd: TimerHandle | undefined;
  #ack: SipRequest | undefined;

  constructor(private readonly opts: ClientInviteOptions) {
    this.key = opts.key;
    this.request = opts.request;
  }

  get state(): ClientInviteState {
    return this.#state;
  }

  start(): void {
    this.opts.send(this.request, false);
    if (!this.opts.reliable) this.#armA();
    this.#timerB = this.opts.clock.setTimeout(() => {
      if (this.#state !== 'calling' && this.#state !== 'proceeding') return;
      this.#terminated();
      this.opts.onTimeout();
    }, TIMEOUT_64T1);
  }

  receiveResponse(res: SipResponse): void {
    switch (this.#state) {
      case 'terminated':
        return;
      case 'accepted':
        if (res.status >= 200 && res.status < 300) this.opts.onRetransmitted2xx?.(res);
        return;
      case 'completed':
        // §17.1.1.2: a retransmitted final is answered with the same ACK again.
        if (res.status >= 300) this.opts.send(this.#ackFor(res), true);
        return;
      default:
        break;
    }
    if (res.status < 200) {
      this.#state = 'proceeding';
      this.opts.clock.clearTimeout(this.#timerA);
      return;
    }
    this.opts.clock.clearTimeout(this.#timerA);
    this.opts.clock.clearTimeout(this.#timerB);
    if (res.status < 300) {
      this.#state = 'accepted';
      this.#timerEnd = this.opts.clock.setTimeout(() => this.#terminated(), TIMEOUT_64T1);
    } else {
      this.#state = 'completed';
      this.opts.send(this.#ackFor(res), false);
      this.#timerEnd = this.opts.clock.setTimeout(() => this.#terminated(), this.opts.reliable ? 0 : TIMER_D_UDP);
    }
    this.opts.onFinal(res);
  }

  terminate(): void {
    if (this.#state !== 'terminated') this.#terminated();
  }

  #armA(): void {
    this.#timerA = this.opts.clock.setTimeout(() => {
      if (this.#state !== 'calling') return;
      metrics.sipRetransmissions.inc({ method: methodLabel(this.request.method) });
      this.opts.send(this.request, true);
      this.#intervalA *= 2; // §17.1.1.2: Timer A doubles (no T2 cap for INVITE); Timer B bounds it
      this.#armA();
    }, this.#intervalA);
  }

  /**
   * §17.1.1.3: the ACK for a non-2xx: the INVITE's Request-URI, Call-ID, From, top Via (same branch)
   * and Route; the response's To (with its tag); CSeq number with method ACK; no body.
   */
  #ackFor(res: SipResponse): SipRequest {
    if (this.#ack !== undefined) return this.#ack;
    const inv = this.request.headers;
    const h = new Headers();
    const via = inv.get('Via');
    if (via !== undefined) h.set('Via', via);
    h.set('Max-Forwards', '70');
    const routes = inv.getAll('Route');
    if (routes.length > 0) h.set('Route', routes);
    h.set('From', inv.get('From') ?? '');
    h.set('To', res.headers.get('To') ?? inv.get('To') ?? '');
    h.set('Call-ID', inv.get('Call-ID') ?? '');
    h.set('CSeq', `${/^\s*(\d+)/.exec(inv.get('CSeq') ?? '')?.[1] ?? '0'} ACK`);
    this.#ack = { kind: 'request', method: 'ACK', uri: this.request.uri, version: 'SIP/2.0', headers: h, body: Buffer.alloc(0) };
    return this.#ack;
  }

  #terminated(): void {
    this.#state = 'terminated';
    this.opts.clock.clearTimeout(this.#timerA);
    this.opts.clock.clearTimeout(this.#timerB);
    this.opts.clock.clearTimeout(this.#timerEnd);
    this.opts.onTerminated?.();
  }
}
