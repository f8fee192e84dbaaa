/**
 * Syntax checks of the headers the transaction and dialog layers depend on, run by the parser so
 * that a message it returns can always be matched: every Via, From, To, CSeq, Call-ID, Contact,
 * Route and Record-Route value parses (RFC 3261 §17.1.3/§17.2.3 matching, §12.1 dialog state).
 * Presence and multiplicity are the job of validate.ts (§8.2), which runs after parsing.
 */
import type { SipHeaders } from './message.ts';
import { parseCSeq, parseNameAddr, parseVia } from './header-values.ts';
import { parseUri } from './uri.ts';
import { SipParseError } from './parse-error.ts';

/** Returns the reason of the first problem, or undefined. */
export function checkHeaderValues(headers: SipHeaders, isRequest: boolean): string | undefined {
  try {
    for (const v of headers.getAll('Via')) parseVia(v);
    for (const v of headers.getAll('From')) parseNameAddr(v);
    for (const v of headers.getAll('To')) parseNameAddr(v);
    for (const v of headers.getAll('CSeq')) parseCSeq(v);
    for (const v of headers.getAll('Call-ID')) {
      // callid = word [ "@" word ]: no whitespace, not empty (§25.1).
      if (v === '' || /[\s]/.test(v)) return 'malformed Call-ID';
    }
    if (isRequest) {
      for (const v of headers.getAll('Max-Forwards')) {
        // Max-Forwards = 1*DIGIT, 0..255 (§20.22); leading zeros allowed (RFC 4475 §3.1.1.1).
        if (!/^[0-9]+$/.test(v) || Number(v.length > 6 ? Infinity : v) > 255) return 'malformed Max-Forwards';
      }
      const contacts = headers.getAll('Contact');
      for (const v of contacts) {
        // "*" is only legal alone (REGISTER removal, §10.2.2).
        if (v === '*' && contacts.length === 1) continue;
        parseNameAddr(v);
      }
      for (const v of headers.getAll('Record-Route')) parseNameAddr(v);
      for (const v of headers.getAll('Route')) parseNameAddr(v);
    }
    return undefined;
  } catch (e) {
    if (e instanceof SipParseError) return e.reason;
    throw e;
  }
}

/**
 * Request-URI = SIP-URI / SIPS-URI / absoluteURI (§25.1). No LWS (RFC 4475 §3.1.2.8), no <>
 * (§3.1.2.7), and SIP URIs carry no headers (§19.1.1 table: "headers" not allowed in a
 * Request-URI; RFC 4475 §3.1.2.11 prefers 400). An unknown scheme parses (416 comes later).
 */
export function checkRequestUri(uri: string): string | undefined {
  if (uri.startsWith('<')) return 'Request-URI enclosed in <>';
  try {
    const u = parseUri(uri);
    if ((u.scheme === 'sip' || u.scheme === 'sips') && u.headers.size > 0) return 'headers in Request-URI';
    return undefined;
  } catch (e) {
    if (e instanceof SipParseError) return `Request-URI: ${e.reason}`;
    throw e;
  }
}
