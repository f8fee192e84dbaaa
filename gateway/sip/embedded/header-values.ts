/**
 * Parsers for the header values the stack itself relies on: Via (RFC 3261 §20.42, RFC 3581 rport),
 * name-addr / addr-spec (§20.10, §25.1), CSeq (§20.16, §8.1.1.5). Each throws SipParseError(400)
 * on garbage; none backtracks (see lexer.ts).
 */
import type { CSeq, NameAddr, Via } from './message.ts';
import { bad } from './parse-error.ts';
import { endOfQuoted, endOfToken, formatParams, isToken, isWs, parseParams, skipWs, trimWs, unquote } from './lexer.ts';
import { parseHostPort, parseUri } from './uri.ts';

export { parseUri, type SipUri } from './uri.ts';

/**
 * via-parm = sent-protocol LWS sent-by *( SEMI via-params )
 * sent-protocol = protocol-name SLASH protocol-version SLASH transport   (SLASH = SWS "/" SWS)
 * RFC 4475 §3.1.1.1 folds LWS around every slash: "SIP  /   2.0 /UDP    192.0.2.2".
 */
export function parseVia(value: string): Via {
  const s = value;
  let i = skipWs(s, 0);
  const parts: string[] = [];
  for (let n = 0; n < 3; n++) {
    if (n > 0) {
      i = skipWs(s, i);
      if (s[i] !== '/') throw bad('malformed Via sent-protocol');
      i = skipWs(s, i + 1);
    }
    const end = endOfToken(s, i);
    if (end === i) throw bad('malformed Via sent-protocol');
    parts.push(s.slice(i, end));
    i = end;
  }
  if (!isWs(s[i])) throw bad('missing space after Via sent-protocol');
  i = skipWs(s, i);
  // sent-by = host [ COLON port ]; it ends at the first ';' or whitespace outside brackets.
  let j = i;
  if (s[j] === '[') {
    const close = s.indexOf(']', j);
    j = close < 0 ? s.length : close + 1;
  }
  while (j < s.length && s[j] !== ';' && !isWs(s[j])) j++;
  let sentBy = s.slice(i, j);
  // COLON = SWS ":" SWS — tolerate "host : 5060".
  let k = skipWs(s, j);
  if (s[k] === ':' && !sentBy.includes(':', sentBy.lastIndexOf(']') + 1)) {
    k = skipWs(s, k + 1);
    const pe = endOfToken(s, k);
    sentBy += ':' + s.slice(k, pe);
    j = pe;
  } else if (sentBy.endsWith(':')) {
    k = skipWs(s, j);
    const pe = endOfToken(s, k);
    sentBy += s.slice(k, pe);
    j = pe;
  }
  if (sentBy === '') throw bad('missing Via sent-by');
  const { host, port } = parseHostPort(sentBy);
  const params = parseParams(s, j, 'Via');
  const [name, version, transport] = parts as [string, string, string];
  const t = transport.toUpperCase();
  return {
    protocol: `${name.toUpperCase()}/${version}/${t}`,
    transport: t,
    host,
    port,
    branch: params.get('branch'),
    rport: params.has('rport'),
    params,
  };
}

export function formatVia(via: Via): string {
  const params = new Map(via.params);
  if (via.branch !== undefined && !params.has('branch')) params.set('branch', via.branch);
  if (via.rport && !params.has('rport')) params.set('rport', undefined);
  const protocol = via.protocol || `SIP/2.0/${via.transport}`;
  return `${protocol} ${via.host}${via.port !== undefined ? `:${via.port}` : ''}${formatParams(params)}`;
}

/**
 * name-addr = [ display-name ] LAQUOT addr-spec RAQUOT ;  display-name = *(token LWS) / quoted-string
 * In the addr-spec form (no <>) everything after the first ';' is a header parameter, not a URI
 * parameter (RFC 3261 §20.10, RFC 4475 §3.3.12/§3.3.13).
 */
export function parseNameAddr(value: string): NameAddr {
  const s = trimWs(value);
  let displayName: string | undefined;
  let uri: string;
  let i: number;
  if (s[0] === '"') {
    const end = endOfQuoted(s, 0);
    displayName = unquote(s.slice(0, end));
    i = skipWs(s, end);
    if (s[i] !== '<') throw bad('quoted display name not followed by <');
  } else {
    // Token characters and LWS, then '<' → name-addr (LWS before '<' is optional, RFC 4475 §3.1.1.6).
    let j = 0;
    while (j < s.length && (isWs(s[j]) || isToken(s[j]!))) j++;
    i = s[j] === '<' ? j : -1;
    if (i > 0) displayName = trimWs(s.slice(0, i)) || undefined;
  }
  const bracketed = i >= 0;
  if (bracketed) {
    const close = s.indexOf('>', i);
    if (close < 0) throw bad('missing > in name-addr');
    // RFC 4475 §3.1.2.14: a liberal parser may ignore spaces just inside the brackets.
    uri = trimWs(s.slice(i + 1, close));
    i = close + 1;
  } else {
    let j = 0;
    while (j < s.length && s[j] !== ';') j++;
    uri = trimWs(s.slice(0, j));
    i = j;
  }
  if (uri === '') throw bad('empty URI');
  const parsed = parseUri(uri);
  // §20.10: an addr-spec holding ',' '?' or ';' must be enclosed in <> (RFC 4475 §3.1.2.13).
  if (!bracketed && (parsed.headers.size > 0 || uri.includes(','))) {
    throw bad('URI with headers must be enclosed in <>');
  }
  const params = parseParams(s, i, 'name-addr');
  return { displayName, uri, params, tag: params.get('tag') };
}

export function formatNameAddr(na: Pick<NameAddr, 'displayName' | 'uri' | 'params'>): string {
  const dn = na.displayName === undefined ? '' : `"${na.displayName.replace(/["\\]/g, (c) => `\\${c}`)}" `;
  return `${dn}<${na.uri}>${formatParams(na.params)}`;
}

/** The largest CSeq sequence number: RFC 3261 §8.1.1.5 requires it to be less than 2**31. */
export const MAX_CSEQ = 2 ** 31 - 1;

/** CSeq = 1*DIGIT LWS Method; leading zeros allowed (RFC 4475 §3.1.1.1), value < 2^31 (§3.1.2.4). */
export function parseCSeq(value: string): CSeq {
  const s = trimWs(value);
  let j = 0;
  while (j < s.length && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j++;
  if (j === 0 || !isWs(s[j])) throw bad('malformed CSeq');
  const digits = s.slice(0, j).replace(/^0+(?=\d)/, '');
  if (digits.length > 10 || Number(digits) > MAX_CSEQ) throw bad('CSeq number out of range');
  const method = trimWs(s.slice(j));
  if (!isToken(method)) throw bad('malformed CSeq method');
  return { seq: Number(digits), method };
}
