/**
 * URI parsing (RFC 3261 §19.1, §25.1; RFC 3966 tel; RFC 5118 IPv6 references). SIP/SIPS URIs are
 * taken apart; tel URIs give their number as `host`; any other absoluteURI (RFC 4475 §3.3.4 allows
 * isbn:, http:, name: in To/From/Contact) is only checked for shape and kept opaque.
 *
 *   sip:user:password@host:port;uri-parameters?headers
 *       └── userinfo ─┘ └ hostport ┘
 *   host = hostname / IPv4address / "[" IPv6address "]"
 */
import { bad } from './parse-error.ts';

export interface SipUri {
  readonly scheme: string;
  readonly user: string | undefined;
  readonly password: string | undefined;
  /** Hostname, IPv4 address, or IPv6 reference *with* its brackets ("[2001:db8::10]"). */
  readonly host: string;
  readonly port: number | undefined;
  readonly params: Map<string, string | undefined>;
  readonly headers: Map<string, string>;
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;
// unreserved / escaped / user-unreserved, plus ":" which separates the password.
const USERINFO = /^[A-Za-z0-9\-_.!~*'()%&=+$,;?/:]+$/;
const HOSTNAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const IPV6 = /^[0-9A-Fa-f:.]+$/;
const PARAMCHAR = /^[A-Za-z0-9\-_.!~*'()%[\]/:&+$]+$/;
const HCHAR = /^[A-Za-z0-9\-_.!~*'()%[\]/?:+$]*$/;
const OPAQUE = /^[^\s<>"]+$/;
const HEX = /^[0-9A-Fa-f]{2}$/;

/** True when every '%' is followed by two hex digits (RFC 3261 `escaped`). */
function escapesOk(s: string): boolean {
  for (let i = s.indexOf('%'); i >= 0; i = s.indexOf('%', i + 1)) {
    if (!HEX.test(s.slice(i + 1, i + 3))) return false;
  }
  return true;
}

export function parsePort(s: string): number {
  if (s.length === 0 || s.length > 5 || !/^[0-9]+$/.test(s)) throw bad('invalid port');
  const n = Number(s);
  if (n > 65535) throw bad('port out of range');
  return n;
}

/** host [":" port] where host may be an IPv6 reference; `[2001:db8::10:5070]` has no port (RFC 5118 §4.3). */
export function parseHostPort(s: string): { host: string; port: number | undefined } {
  let host: string;
  let rest: string;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0) throw bad('unterminated IPv6 reference');
    host = s.slice(0, close + 1);
    const inner = host.slice(1, -1);
    // RFC 5118 §4.10: tolerate the RFC 3261 ABNF's three-colon form; just require hex, ':' and '.'.
    if (!IPV6.test(inner) || !inner.includes(':')) throw bad('invalid IPv6 reference');
    rest = s.slice(close + 1);
  } else {
    const colon = s.indexOf(':');
    host = colon < 0 ? s : s.slice(0, colon);
    rest = colon < 0 ? '' : s.slice(colon);
    if (!HOSTNAME.test(host)) throw bad('invalid host');
  }
  if (rest === '') return { host, port: undefined };
  if (rest[0] !== ':') throw bad('garbage after host');
  return { host, port: parsePort(rest.slice(1)) };
}

function parseUriParams(s: string): Map<string, string | undefined> {
  const params = new Map<string, string | undefined>();
  if (s === '') return params;
  for (const p of s.split(';')) {
    const eq = p.indexOf('=');
    const name = eq < 0 ? p : p.slice(0, eq);
    const value = eq < 0 ? undefined : p.slice(eq + 1);
    if (!PARAMCHAR.test(name) || (value !== undefined && !PARAMCHAR.test(value))) throw bad('invalid URI parameter');
    if (!params.has(name.toLowerCase())) params.set(name.toLowerCase(), value);
  }
  return params;
}

function parseUriHeaders(s: string | undefined): Map<string, string> {
  const headers = new Map<string, string>();
  if (s === undefined) return headers;
  for (const h of s.split('&')) {
    const eq = h.indexOf('=');
    if (eq <= 0 || !HCHAR.test(h.slice(0, eq)) || !HCHAR.test(h.slice(eq + 1))) throw bad('invalid URI header');
    headers.set(h.slice(0, eq), h.slice(eq + 1));
  }
  return headers;
}

export function parseUri(uri: string): SipUri {
  const colon = uri.indexOf(':');
  const scheme = colon > 0 ? uri.slice(0, colon) : '';
  if (!SCHEME.test(scheme)) throw bad('URI without a scheme');
  const lower = scheme.toLowerCase();
  const rest = uri.slice(colon + 1);
  if (!OPAQUE.test(rest)) throw bad('invalid characters in URI');
  if (lower === 'tel') {
    const semi = rest.indexOf(';');
    const number = semi < 0 ? rest : rest.slice(0, semi);
    return { scheme: lower, user: undefined, password: undefined, host: number, port: undefined,
      params: parseUriParams(semi < 0 ? '' : rest.slice(semi + 1)), headers: new Map() };
  }
  if (lower !== 'sip' && lower !== 'sips') {
    return { scheme: lower, user: undefined, password: undefined, host: rest, port: undefined, params: new Map(), headers: new Map() };
  }
  // '@' cannot occur in uri-parameters or headers (RFC 3261 §25.1 paramchar / hvalue), so the
  // first one ends the userinfo even when the user part holds ';' '?' or ',' (RFC 4475 §3.1.1.9).
  const at = rest.indexOf('@');
  let user: string | undefined;
  let password: string | undefined;
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    if (!USERINFO.test(userinfo) || !escapesOk(userinfo)) throw bad('invalid URI user part');
    const pc = userinfo.indexOf(':');
    user = pc < 0 ? userinfo : userinfo.slice(0, pc);
    password = pc < 0 ? undefined : userinfo.slice(pc + 1);
    if (user === '') throw bad('empty URI user part');
  }
  const afterUser = rest.slice(at + 1);
  const q = afterUser.indexOf('?');
  const beforeHeaders = q < 0 ? afterUser : afterUser.slice(0, q);
  const semi = beforeHeaders.indexOf(';');
  const hostport = semi < 0 ? beforeHeaders : beforeHeaders.slice(0, semi);
  const { host, port } = parseHostPort(hostport);
  const paramText = semi < 0 ? '' : beforeHeaders.slice(semi + 1);
  if (!escapesOk(paramText)) throw bad('invalid escape in URI parameters');
  return {
    scheme: lower, user, password, host, port,
    params: parseUriParams(paramText),
    headers: parseUriHeaders(q < 0 ? undefined : afterUser.slice(q + 1)),
  };
}

