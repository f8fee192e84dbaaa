/**
 * The SIP message model of the embedded stack (RFC 3261 §7). Header names are stored in their
 * canonical long form and looked up case-insensitively; compact forms (§7.3.3: i, m, f, t, v, l, c, k,
 * s, e, o, u, r, x…) are expanded by the parser. A header that appears several times, or carries a
 * comma-separated list (§7.3.1), keeps every value in order.
 */
export type Transport = 'udp' | 'tcp';

export interface Endpoint {
  readonly address: string;
  readonly port: number;
  readonly transport: Transport;
}

export interface SipHeaders {
  /** Every value of a header, in order, split on top-level commas for list headers. */
  getAll(name: string): string[];
  /** The first value, or undefined. */
  get(name: string): string | undefined;
  has(name: string): boolean;
  /** Replaces all values. */
  set(name: string, value: string | string[]): void;
  append(name: string, value: string): void;
  delete(name: string): void;
  /** Canonical names in first-seen order with their values, for serialising. */
  entries(): Iterable<[string, string[]]>;
}

interface SipMessageBase {
  readonly headers: SipHeaders;
  /** Raw body bytes (framed by Content-Length; may contain NUL and bare CR, RFC 4475 mpart01). */
  body: Buffer;
  /** Where it came from (set by the transport for received messages). */
  source?: Endpoint;
}

export interface SipRequest extends SipMessageBase {
  readonly kind: 'request';
  readonly method: string;
  readonly uri: string;
  readonly version: string;
}

export interface SipResponse extends SipMessageBase {
  readonly kind: 'response';
  readonly status: number;
  readonly reason: string;
  readonly version: string;
}

export type SipMessage = SipRequest | SipResponse;

/** A parsed Via header value (RFC 3261 §20.42, RFC 3581 rport). */
export interface Via {
  readonly protocol: string; // "SIP/2.0/UDP"
  readonly transport: string; // "UDP"
  readonly host: string;
  readonly port: number | undefined;
  readonly branch: string | undefined;
  /** `rport` present (value undefined when empty). */
  readonly rport: boolean;
  readonly params: ReadonlyMap<string, string | undefined>;
}

/** A parsed name-addr / addr-spec (From, To, Contact). */
export interface NameAddr {
  readonly displayName: string | undefined;
  readonly uri: string;
  readonly params: ReadonlyMap<string, string | undefined>;
  readonly tag: string | undefined;
}

export interface CSeq {
  readonly seq: number;
  readonly method: string;
}
