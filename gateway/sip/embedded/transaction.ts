import type { SipRequest, SipResponse } from './message.ts';

/**
 * Shared pieces of the transaction layer (RFC 3261 §17). Transactions never build or serialise
 * messages themselves: they are handed finished messages and a `send` function, and only decide
 * when to (re)send and when to end — so their schedules can be tested with a FakeClock alone.
 */

/** RFC 3261 §17.1.1.1 / Table 4 defaults, in milliseconds. */
export const T1 = 500;
export const T2 = 4000;
export const T4 = 5000;
/** Timers B, F, H, J, and the 2xx retransmission window of §13.3.1.4. */
export const TIMEOUT_64T1 = 64 * T1;

/** Passes a response to the transport. `retransmit` is true when it repeats an earlier send. */
export type ResponseSender = (res: SipResponse, retransmit: boolean) => void;
/** Passes a request to the transport. */
export type RequestSender = (req: SipRequest, retransmit: boolean) => void;

/** What a server transaction offers its transaction user (the dialog or the UAS core). */
export interface ServerTransaction {
  readonly key: string;
  readonly request: SipRequest;
  readonly state: string;
  /** Sends a response; the transaction decides on retransmissions. */
  respond(res: SipResponse): void;
  /** The same request arrived again (§17.2.1, §17.2.2: absorb, re-send the last response). */
  receiveRetransmission(): void;
  /** Cancels every timer and ends at once (shutdown). */
  terminate(): void;
  /** True once a final (>= 200) response was passed to `respond`. */
  readonly finalSent: boolean;
}

/** Next retransmission interval: doubles, capped at T2 (§17.1.1.2 Timer A/E, §17.2.1 Timer G). */
export function backoff(interval: number): number {
  return Math.min(interval * 2, T2);
}
