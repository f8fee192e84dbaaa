import type { SipRequest, SipResponse } from './message.ts';
import { parseCSeq, parseNameAddr, parseVia } from './header-values.ts';

/**
 * Transaction matching keys.
 *
 * Server side, RFC 3261 §17.2.3: when the top Via branch starts with the magic cookie `z9hG4bK`, a
 * request matches a transaction when branch, sent-by (host:port) and method are equal — except that an
 * ACK (for a non-2xx) and a CANCEL are looked up against the INVITE they refer to by passing
 * `method: 'INVITE'`. Without the cookie (RFC 2543 peers) the request is matched on Request-URI,
 * From tag, Call-ID, CSeq number and the whole top Via (§17.2.3 last paragraphs); the To tag is left
 * out because the ACK of a non-2xx carries the tag our response added.
 *
 * Client side, §17.1.3: a response matches when its top Via branch and CSeq method equal the request's.
 */
export const MAGIC_COOKIE = 'z9hG4bK';

/** Server transaction key of `req`, or undefined when its Via/CSeq cannot be read. */
export function serverKey(req: SipRequest, method: string = req.method): string | undefined {
  try {
    const top = req.headers.get('Via');
    if (top === undefined) return undefined;
    const via = parseVia(top);
    if (via.branch !== undefined && via.branch.startsWith(MAGIC_COOKIE)) {
      // Branch comparison is case-sensitive; host names are not (§19.1.4).
      return `3261|${via.branch}|${via.host.toLowerCase()}:${via.port ?? ''}|${method}`;
    }
    const cseq = parseCSeq(req.headers.get('CSeq') ?? '');
    const from = parseNameAddr(req.headers.get('From') ?? '');
    const callId = req.headers.get('Call-ID') ?? '';
    return `2543|${req.uri}|${from.tag ?? ''}|${callId}|${cseq.seq}|${top.replace(/\s+/g, '')}|${method}`;
  } catch {
    return undefined;
  }
}

/** Client transaction key of a request we send or a response we receive. */
export function clientKey(msg: SipRequest | SipResponse): string | undefined {
  try {
    const top = msg.headers.get('Via');
    const cseq = msg.headers.get('CSeq');
    if (top === undefined || cseq === undefined) return undefined;
    const branch = parseVia(top).branch;
    if (branch === undefined) return undefined;
    return `${branch}|${parseCSeq(cseq).method}`;
  } catch {
    return undefined;
  }
}

/** Random token for tags and branches (RFC 3261 §19.3: at least 32 bits of randomness). */
export function randomToken(length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}
