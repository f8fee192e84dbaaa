/** A DTMF digit as the call sees it, whatever carried it (RFC 4733 event, SIP INFO, FreeSWITCH). */
export type DtmfDigit = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '*' | '#' | 'A' | 'B' | 'C' | 'D';

export interface DtmfEvent {
  readonly digit: DtmfDigit;
  /** Duration in milliseconds, when the carrier tells it. */
  readonly durationMs: number;
  readonly source: 'rfc4733' | 'sip-info' | 'inband' | 'freeswitch' | 'twilio';
}

const DIGITS = '0123456789*#ABCD';

export function isDtmfDigit(s: string): s is DtmfDigit {
  return s.length === 1 && DIGITS.includes(s);
}

/** RFC 4733 §3.2 event codes 0–15 map to 0–9, *, #, A–D. */
export function digitFromEvent(code: number): DtmfDigit | undefined {
  const d = DIGITS[code];
  return d as DtmfDigit | undefined;
}

export function eventFromDigit(digit: DtmfDigit): number {
  return DIGITS.indexOf(digit);
}
