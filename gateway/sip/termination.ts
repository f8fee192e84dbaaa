/**
 * The closed set of ways a call can end. Every call ends with exactly one; metrics count by it, so
 * it must stay small and bounded.
 */
export const TERMINATIONS = [
  'caller-hangup', // BYE from the caller
  'agent-hangup', // the agent ended the call (goodbye, then our BYE)
  'caller-cancel', // CANCEL before answer
  'rejected', // we answered the INVITE with a final error (488, 503, 403…)
  'ack-timeout', // our 2xx was never ACKed (RFC 3261 §13.3.1.4 Timer H): we send BYE
  'media-timeout', // no RTP for too long
  'transferred', // REFER accepted and the call moved on
  'max-duration', // the configured limit
  'shutdown', // drain window elapsed on SIGTERM
  'error', // an unexpected fault in this call
] as const;

export type Termination = (typeof TERMINATIONS)[number];

export interface TerminationDetail {
  readonly result: Termination;
  /** SIP status when the end was a SIP response (rejections) or a reason from the other side. */
  readonly sipStatus?: number;
  /** Static text for logs. */
  readonly reason?: string;
}
