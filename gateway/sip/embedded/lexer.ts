/**
 * Lexical helpers shared by the SIP parsers (RFC 3261 §25.1). Every scanner here walks the input
 * once, left to right, with a bounded amount of work per character: the parser must stay linear
 * on hostile input (PROTOS c07-sip), so no backtracking regular expressions are used — the only
 * regexes are single character classes anchored at both ends.
 */
import { bad } from './parse-error.ts';

// token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
// gen-value = token / host / quoted-string; host adds ":" "[" "]" for IPv6 references (RFC 5118 §4.5).
const GEN_VALUE = /^[A-Za-z0-9\-.!%*_+`'~:[\]]+$/;

export function isToken(s: string): boolean {
  return TOKEN.test(s);
}

export function isWs(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

/** Trims SP and HTAB only (String#trim would also eat NBSP and U+2028, which are not LWS). */
export function trimWs(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isWs(s[a])) a++;
  while (b > a && isWs(s[b - 1])) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

export function skipWs(s: string, i: number): number {
  while (i < s.length && isWs(s[i])) i++;
  return i;
}

/** Index just past the closing quote of the quoted-string opening at `i` (quoted-pair aware). */
export function endOfQuoted(s: string, i: number): number {
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j];
    if (c === '\\') j++;
    else if (c === '"') return j + 1;
  }
  throw bad('unterminated quoted string');
}

/** The content of a quoted-string with quoted-pairs resolved (RFC 3261 §25.1). */
export function unquote(q: string): string {
  let out = '';
  for (let j = 1; j < q.length - 1; j++) {
    const c = q[j]!;
    if (c === '\\' && j + 1 < q.length - 1) out += q[++j];
    else out += c;
  }
  return out;
}

/** Reads a run of token characters starting at `i`; returns the end index. */
export function endOfToken(s: string, i: number): number {
  let j = i;
  while (j < s.length && TOKEN.test(s[j]!)) j++;
  return j;
}

/**
 * `*( SEMI generic-param )` starting at `i` (RFC 3261 §25.1, SEMI = SWS ";" SWS, EQUAL = SWS "=" SWS).
 * Names are lower-cased (§7.3.1: parameter names are case-insensitive); values are kept verbatim,
 * quoted values with their quotes, so re-serialising is lossless. Anything else left over is an error.
 */
export function parseParams(s: string, i: number, what: string): Map<string, string | undefined> {
  const params = new Map<string, string | undefined>();
  for (;;) {
    i = skipWs(s, i);
    if (i >= s.length) return params;
    if (s[i] !== ';') throw bad(`unexpected character in ${what} parameters`);
    i = skipWs(s, i + 1);
    const nameEnd = endOfToken(s, i);
    if (nameEnd === i) throw bad(`empty ${what} parameter`);
    const name = s.slice(i, nameEnd).toLowerCase();
    i = skipWs(s, nameEnd);
    let value: string | undefined;
    if (s[i] === '=') {
      i = skipWs(s, i + 1);
      if (s[i] === '"') {
        const end = endOfQuoted(s, i);
        value = s.slice(i, end);
        i = end;
      } else {
        let j = i;
        while (j < s.length && GEN_VALUE.test(s[j]!)) j++;
        if (j === i) throw bad(`empty ${what} parameter value`);
        value = s.slice(i, j);
        i = j;
      }
    }
    if (!params.has(name)) params.set(name, value);
  }
}

export function formatParams(params: ReadonlyMap<string, string | undefined>): string {
  let out = '';
  for (const [k, v] of params) out += v === undefined ? `;${k}` : `;${k}=${v}`;
  return out;
}

/**
 * Splits a list header's value on commas that are outside quoted strings and outside <...>
 * (RFC 3261 §7.3.1: a comma inside a quoted display name or a URI is not a separator).
 */
export function splitTopLevel(value: string): string[] {
  const out: string[] = [];
  let start = 0;
  let angle = false;
  for (let j = 0; j < value.length; j++) {
    const c = value[j];
    if (c === '"' && !angle) {
      // An unterminated quote swallows the rest; the value parser reports it.
      let k = j + 1;
      while (k < value.length && value[k] !== '"') k += value[k] === '\\' ? 2 : 1;
      j = k;
    } else if (c === '<') angle = true;
    else if (c === '>') angle = false;
    else if (c === ',' && !angle) {
      out.push(trimWs(value.slice(start, j)));
      start = j + 1;
    }
  }
  out.push(trimWs(value.slice(start)));
  return out;
}
