import { TrunklineError } from '../../errors.ts';
import type { SipRequest } from './message.ts';

/**
 * A SIP message that could not be parsed or framed. Callers branch on `status`, never on text:
 * - a number: the response a UAS should send (400 Bad Request, 505 Version Not Supported,
 *   413/513 too large) — `request` then holds whatever of the request was readable (start line,
 *   Via/From/To/Call-ID/CSeq as raw header values) so the response can be built (RFC 3261 §8.2.6);
 * - undefined: drop silently (a malformed response, or not even a start line; RFC 3261 §16.3 /
 *   RFC 4475 §3.1.2.19 — nothing can be answered).
 */
export class SipParseError extends TrunklineError {
  override readonly name = 'SipParseError';
  constructor(
    readonly status: number | undefined,
    readonly reason: string,
    readonly request: SipRequest | undefined = undefined,
  ) {
    super(reason);
  }
}

/** Shorthand used by the header-value parsers: a 400 with no request attached yet. */
export function bad(reason: string): SipParseError {
  return new SipParseError(400, reason);
}
