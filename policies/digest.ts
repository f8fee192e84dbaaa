import { createHash } from 'node:crypto';

/**
 * SIP digest authentication (RFC 3261 §22.4, RFC 8760: SHA-256 beside MD5, RFC 7616 §3.4.1 for the
 * computation). Pure: parse an Authorization header, compute the expected response, format a
 * challenge. Nonce issue/expiry/replay and lockout live in digest-nonces.ts and auth-lockout.ts.
 *
 *   HA1      = H(username ":" realm ":" password)
 *   HA2      = H(method ":" digest-uri)                               (qop=auth)
 *   response = H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2)     (qop=auth)
 *            = H(HA1 ":" nonce ":" HA2)                               (no qop, RFC 2069 compat)
 */
export type DigestAlgorithm = 'SHA-256' | 'MD5';

export interface DigestCredentials {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

const HASH: Readonly<Record<DigestAlgorithm, string>> = { 'SHA-256': 'sha256', MD5: 'md5' };

function h(alg: DigestAlgorithm, s: string): string {
  return createHash(HASH[alg]).update(s, 'utf8').digest('hex');
}

/** `Digest a=b, c="d, e"` → scheme and lower-cased parameter names; undefined when unreadable. */
export function parseAuthorization(value: string): DigestCredentials | undefined {
  const m = /^\s*([A-Za-z]+)\s+(.*)$/s.exec(value);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))\s*(?:,|$)/gy;
  const rest = m[2]!;
  re.lastIndex = 0;
  let count = 0;
  while (re.lastIndex < rest.length && count < 32) {
    const p = re.exec(rest);
    if (!p) return undefined;
    params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
    count++;
  }
  return { scheme: m[1]!, params };
}

export function challenge(alg: DigestAlgorithm, realm: string, nonce: string, stale = false): string {
  return `Digest realm="${realm}", nonce="${nonce}", algorithm=${alg}, qop="auth"${stale ? ', stale=true' : ''}`;
}

export interface DigestCheck {
  readonly method: string;
  readonly username: string;
  readonly password: string;
  readonly realm: string;
}

/** The algorithm named in the credentials (absent means MD5, RFC 7616 §3.4), or undefined if unknown. */
export function algorithmOf(c: DigestCredentials): DigestAlgorithm | undefined {
  const a = (c.params['algorithm'] ?? 'MD5').toUpperCase();
  return a === 'MD5' ? 'MD5' : a === 'SHA-256' ? 'SHA-256' : undefined;
}

/** Whether the credentials carry the right response for this user, password and realm. */
export function verifyDigest(c: DigestCredentials, expect: DigestCheck): boolean {
  const p = c.params;
  const alg = algorithmOf(c);
  if (c.scheme.toLowerCase() !== 'digest' || alg === undefined) return false;
  if (p['username'] !== expect.username || p['realm'] !== expect.realm) return false;
  const { nonce, uri, response } = p;
  if (nonce === undefined || uri === undefined || response === undefined) return false;
  const ha1 = h(alg, `${expect.username}:${expect.realm}:${expect.password}`);
  const ha2 = h(alg, `${expect.method}:${uri}`);
  const qop = p['qop'];
  let want: string;
  if (qop === undefined) want = h(alg, `${ha1}:${nonce}:${ha2}`);
  else if (qop === 'auth' && p['nc'] !== undefined && p['cnonce'] !== undefined) want = h(alg, `${ha1}:${nonce}:${p['nc']}:${p['cnonce']}:auth:${ha2}`);
  else return false;
  return timingSafeEqualHex(want, response.toLowerCase());
}

/** Client side of the computation (tests and tools): the response for a challenge. */
export function digestResponse(alg: DigestAlgorithm, a: { username: string; password: string; realm: string; method: string; uri: string; nonce: string; nc: string; cnonce: string }): string {
  const ha1 = h(alg, `${a.username}:${a.realm}:${a.password}`);
  const ha2 = h(alg, `${a.method}:${a.uri}`);
  return h(alg, `${ha1}:${a.nonce}:${a.nc}:${a.cnonce}:auth:${ha2}`);
}

function timingSafeEqualHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
