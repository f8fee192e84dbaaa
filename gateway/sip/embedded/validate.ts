/**
 * The checks a UAS makes on a parsed request before acting on it, in RFC 3261 §8.2 order:
 * header sanity (400), Request-URI scheme (§8.2.2.1 → 416), Require (§8.2.2.3 → 420),
 * content (§8.2.3 → 415), Accept (§21.4.7 → 406). Method support (405/501) and dialog matching
 * (481) belong to the UAS core, which knows them.
 */
import type { SipRequest } from './message.ts';
import { parseCSeq } from './header-values.ts';

export interface Rejection {
  status: number;
  reason: string;
  headers?: Record<string, string>;
}

/**
 * Option tags the embedded stack implements (§19.2). Empty for now: nothing in Require can be
 * honoured, so every Require option tag earns a 420. Add a tag only with the code that does it.
 */
export const SUPPORTED_OPTION_TAGS: readonly string[] = [];

/** §8.1.1: every request carries these; Max-Forwards is only a SHOULD for a UAS to see (zeromf). */
const MANDATORY = ['To', 'From', 'CSeq', 'Call-ID', 'Via'];
/** Headers that may appear at most once (§7.3.1: not list headers; RFC 4475 §3.3.8 multi01). */
const SINGLE = ['To', 'From', 'CSeq', 'Call-ID', 'Max-Forwards', 'Content-Type', 'Content-Length'];
const URI_SCHEMES = new Set(['sip', 'sips', 'tel']);
const SDP = 'application/sdp';

export function validateRequest(req: SipRequest): Rejection | undefined {
  const h = req.headers;
  for (const name of MANDATORY) {
    if (!h.has(name) || h.get(name) === '') return { status: 400, reason: `Missing ${name}` };
  }
  for (const name of SINGLE) {
    if (h.getAll(name).length > 1) return { status: 400, reason: `Multiple ${name} values` };
  }
  let cseqMethod: string;
  try {
    cseqMethod = parseCSeq(h.get('CSeq')!).method;
  } catch {
    return { status: 400, reason: 'Bad CSeq' };
  }
  // Method tokens are case-sensitive (§7.1); RFC 4475 §3.1.2.17/18: 400 on mismatch.
  if (cseqMethod !== req.method) return { status: 400, reason: 'CSeq method does not match request method' };
  if (req.body.length > 0 && !h.has('Content-Type')) return { status: 400, reason: 'Body without Content-Type' };

  const colon = req.uri.indexOf(':');
  const scheme = colon > 0 ? req.uri.slice(0, colon).toLowerCase() : '';
  if (!URI_SCHEMES.has(scheme)) return { status: 416, reason: 'Unsupported URI Scheme' };

  // ACK and CANCEL never get a 420 (§8.2.2.3), nor content checks — an ACK is never answered.
  if (req.method === 'ACK' || req.method === 'CANCEL') return undefined;
  const unsupported = h.getAll('Require').filter((t) => t !== '' && !SUPPORTED_OPTION_TAGS.includes(t.toLowerCase()));
  if (unsupported.length > 0) {
    return { status: 420, reason: 'Bad Extension', headers: { Unsupported: unsupported.join(', ') } };
  }

  if (req.method === 'INVITE') {
    const enc = h.getAll('Content-Encoding').filter((e) => e !== '' && e.toLowerCase() !== 'identity');
    if (req.body.length > 0 && enc.length > 0) {
      return { status: 415, reason: 'Unsupported Media Type', headers: { 'Accept-Encoding': 'identity' } };
    }
    if (req.body.length > 0 && !bodyHasSdp(h.get('Content-Type') ?? '', req.body)) {
      return { status: 415, reason: 'Unsupported Media Type', headers: { Accept: SDP } };
    }
    // §20.1: an Accept that lists no SDP-compatible range (an empty one lists nothing) leaves us
    // unable to answer the offer (RFC 4475 §3.3.15 sdp01).
    if (h.has('Accept') && !h.getAll('Accept').some(acceptsSdp)) {
      return { status: 406, reason: 'Not Acceptable', headers: { Accept: SDP } };
    }
  }
  return undefined;
}

function mediaType(contentType: string): string {
  const semi = contentType.indexOf(';');
  const [type = '', sub = ''] = (semi < 0 ? contentType : contentType.slice(0, semi)).toLowerCase().split('/', 2);
  return `${type.trim()}/${sub.trim()}`;
}

/** application/sdp, or a multipart/mixed whose parts include one (RFC 5621 §3.1). */
function bodyHasSdp(contentType: string, body: Buffer): boolean {
  const type = mediaType(contentType);
  if (type === SDP) return true;
  if (type !== 'multipart/mixed') return false;
  return /content-type[ \t]*:[ \t]*application\/sdp/i.test(body.toString('latin1'));
}

function acceptsSdp(range: string): boolean {
  const semi = range.indexOf(';');
  if (semi >= 0 && /(^|;)[ \t]*q[ \t]*=[ \t]*0(\.0*)?[ \t]*(;|$)/i.test(range.slice(semi))) return false;
  const type = mediaType(range);
  return type === SDP || type === 'application/*' || type === '*/*';
}
