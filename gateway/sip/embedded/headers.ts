/**
 * Header storage for the embedded SIP stack: case-insensitive names (RFC 3261 §7.3.1), compact
 * forms expanded (§7.3.3 and the extensions that registered one with IANA), and list headers split
 * into one value per element so `getAll('Via')` is the Via stack whether it arrived as one line or
 * several (§7.3.1: the two forms are equivalent).
 */
import type { SipHeaders } from './message.ts';
import { splitTopLevel } from './lexer.ts';

/** Compact form → long name (RFC 3261 §7.3.3, RFC 3265, 3515, 3892, 4028, 3841, 4474). */
const COMPACT: Readonly<Record<string, string>> = {
  i: 'Call-ID', m: 'Contact', e: 'Content-Encoding', l: 'Content-Length', c: 'Content-Type',
  f: 'From', s: 'Subject', k: 'Supported', t: 'To', v: 'Via', o: 'Event', r: 'Refer-To',
  b: 'Referred-By', x: 'Session-Expires', u: 'Allow-Events', a: 'Accept-Contact',
  j: 'Reject-Contact', d: 'Request-Disposition', y: 'Identity', n: 'Identity-Info',
};

const KNOWN = [
  'Accept', 'Accept-Contact', 'Accept-Encoding', 'Accept-Language', 'Alert-Info', 'Allow',
  'Allow-Events', 'Authentication-Info', 'Authorization', 'Call-ID', 'Call-Info', 'Contact',
  'Content-Disposition', 'Content-Encoding', 'Content-Language', 'Content-Length', 'Content-Type',
  'CSeq', 'Date', 'Diversion', 'Error-Info', 'Event', 'Expires', 'From', 'History-Info', 'Identity',
  'Identity-Info', 'In-Reply-To', 'Join', 'Max-Forwards', 'MIME-Version', 'Min-Expires', 'Min-SE',
  'Organization', 'P-Asserted-Identity', 'P-Charging-Vector', 'P-Preferred-Identity', 'Path',
  'Priority', 'Privacy', 'Proxy-Authenticate', 'Proxy-Authorization', 'Proxy-Require', 'RAck',
  'Reason', 'Record-Route', 'Refer-Sub', 'Refer-To', 'Referred-By', 'Reject-Contact', 'Remote-Party-ID',
  'Replaces', 'Reply-To', 'Request-Disposition', 'Require', 'Retry-After', 'Route', 'RSeq',
  'Security-Client', 'Security-Server', 'Security-Verify', 'Server', 'Service-Route',
  'Session-Expires', 'SIP-ETag', 'SIP-If-Match', 'Subject', 'Subscription-State', 'Supported',
  'Target-Dialog', 'Timestamp', 'To', 'Unsupported', 'User-Agent', 'User-to-User', 'Via', 'Warning',
  'WWW-Authenticate',
];
const CANONICAL = new Map(KNOWN.map((n) => [n.toLowerCase(), n]));

/**
 * Headers whose grammar is `x *(COMMA x)` (RFC 3261 §20 and extensions) and whose elements cannot
 * contain a bare comma outside quotes or <>. Deliberately an allow-list: unknown headers and those
 * whose single value may hold commas — WWW-/Proxy-Authenticate and Authorization (auth params),
 * Date (RFC 1123 date), Retry-After (comment), Subject/Organization/Server/User-Agent (free text),
 * Call-ID (word allows `"` and `<`, RFC 4475 §3.1.1.2) — stay whole.
 */
const LIST = new Set([
  'accept', 'accept-contact', 'accept-encoding', 'accept-language', 'alert-info', 'allow',
  'allow-events', 'call-info', 'contact', 'content-encoding', 'content-language', 'diversion',
  'error-info', 'history-info', 'in-reply-to', 'p-asserted-identity', 'p-preferred-identity', 'path',
  'proxy-require', 'reason', 'record-route', 'reject-contact', 'request-disposition', 'require',
  'route', 'security-client', 'security-server', 'security-verify', 'service-route', 'supported',
  'unsupported', 'via', 'warning',
]);

/**
 * The canonical long spelling of a header name: compact forms expanded, known names in their RFC
 * spelling ("call-id" → "Call-ID"); unknown names are returned unchanged (their case is the
 * sender's, and lookups are case-insensitive anyway).
 */
export function canonicalName(name: string): string {
  const lower = name.toLowerCase();
  const long = COMPACT[lower];
  if (long !== undefined) return long;
  return CANONICAL.get(lower) ?? name;
}

export function isListHeader(name: string): boolean {
  return LIST.has(canonicalName(name).toLowerCase());
}

interface Entry {
  name: string;
  values: string[];
}

export class Headers implements SipHeaders {
  readonly #map = new Map<string, Entry>();

  constructor(init?: Iterable<readonly [string, string | readonly string[]]>) {
    if (init) for (const [n, v] of init) for (const x of typeof v === 'string' ? [v] : v) this.append(n, x);
  }

  getAll(name: string): string[] {
    return [...(this.#map.get(key(name))?.values ?? [])];
  }

  get(name: string): string | undefined {
    return this.#map.get(key(name))?.values[0];
  }

  has(name: string): boolean {
    return this.#map.has(key(name));
  }

  /** How many values (after list splitting) the header has; 0 when absent. */
  count(name: string): number {
    return this.#map.get(key(name))?.values.length ?? 0;
  }

  set(name: string, value: string | string[]): void {
    this.#map.delete(key(name));
    for (const v of typeof value === 'string' ? [value] : value) this.append(name, v);
  }

  append(name: string, value: string): void {
    const canon = canonicalName(name.trim());
    const k = canon.toLowerCase();
    let entry = this.#map.get(k);
    if (!entry) {
      entry = { name: canon, values: [] };
      this.#map.set(k, entry);
    }
    if (LIST.has(k) && value !== '') entry.values.push(...splitTopLevel(value));
    else entry.values.push(value);
  }

  delete(name: string): void {
    this.#map.delete(key(name));
  }

  *entries(): IterableIterator<[string, string[]]> {
    for (const e of this.#map.values()) yield [e.name, [...e.values]];
  }

  clone(): Headers {
    const h = new Headers();
    for (const [n, vs] of this.entries()) h.set(n, vs);
    return h;
  }
}

function key(name: string): string {
  return canonicalName(name.trim()).toLowerCase();
}
