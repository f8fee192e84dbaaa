/**
 * What a UAS gateway should answer to each RFC 4475 / RFC 5118 torture message, derived from the
 * `gateway_uas_note` and `verdict` columns of shared/sip-conformance/rfc4475/INDEX.tsv, and whether
 * an observed answer matches it. Pure: no sockets.
 */

export type Transport = 'udp' | 'tcp';

export type Expectation =
  /** The first final response must carry one of these codes. */
  | { readonly kind: 'status'; readonly codes: readonly number[]; readonly closeOk?: boolean; readonly orParsed?: boolean; readonly silenceOk?: boolean }
  /** No response at all (stray or broken responses are silently discarded). */
  | { readonly kind: 'drop' }
  /** The message parses: any final response except 400 (syntax) or 500 (our fault). */
  | { readonly kind: 'parsed' }
  /** Anything but a crash: only liveness is checked, the case is not scored. */
  | { readonly kind: 'liveness-only' };

export interface IndexRow {
  readonly file: string;
  readonly verdict: string;
  readonly note: string;
  readonly method: string;
}

export function parseIndex(tsv: string): IndexRow[] {
  const lines = tsv.split('\n').filter((l) => l.trim() !== '');
  const header = (lines[0] ?? '').split('\t');
  const col = (name: string): number => header.indexOf(name);
  const [iFile, iVerdict, iNote] = [col('file'), col('verdict'), col('gateway_uas_note')];
  return lines.slice(1).map((l) => {
    const c = l.split('\t');
    return { file: c[iFile] ?? '', verdict: c[iVerdict] ?? '', note: c[iNote] ?? '', method: '' };
  });
}

/** Messages whose note marks them unfit for one transport (framing relies on the UDP datagram). */
const UDP_ONLY = /\bUDP only\b/i;

export function expectationFor(row: IndexRow, transport: Transport): Expectation {
  const note = row.note;
  if (transport === 'tcp' && UDP_ONLY.test(note)) return { kind: 'liveness-only' };
  // longreq (3.5 KB) is meant for TCP; over UDP it exceeds the §18.1.1 MTU guidance, so either
  // processing it or refusing it is acceptable there.
  if (transport === 'udp' && /send over TCP/i.test(note)) return { kind: 'liveness-only' };
  if (/\bdropped\b/i.test(note)) return { kind: 'drop' };
  if (/never crash/i.test(note) && !/\b[1-6]\d\d\b/.test(note)) return { kind: 'liveness-only' };
  if (/\bor accept\b|accepting is fine/i.test(note)) return { kind: 'liveness-only' };
  if (/normal call handling/i.test(note)) return { kind: 'status', codes: [200] };
  // Codes named in the note, except those it rules out ("481, NOT 400", "never a 200"), those it
  // assigns to another role ("B2BUA must not forward … (483)") and byte counts ("Content-Length (241)").
  const ruledOut = new Set([...note.matchAll(/\b(?:NOT|never a) (\d{3})\b/gi)].map((m) => Number(m[1])));
  const ownRole = (note.split(/B2BUA|proxy/i)[0] ?? note).replace(/\(\d+\)/g, '');
  const codes = [...ownRole.matchAll(/\b([1-6]\d\d)\b/g)].map((m) => Number(m[1])).filter((c) => !ruledOut.has(c));
  if (codes.length > 0) {
    const uniq = [...new Set(codes)];
    // "400 / close TCP", "TCP: bounded wait + close": over a stream a framing error may end the connection.
    const closeOk = transport === 'tcp' && /close/i.test(note);
    // "400 is defensible …" for a message the RFC says to accept: either answer scores.
    const orParsed = /defensible/i.test(note) && /^ACCEPT/.test(row.verdict);
    // "TCP: bounded wait + close": a stream whose Content-Length promises more bytes is, rightly, still
    // waiting for them when our read window ends.
    if (transport === 'tcp' && /bounded wait/i.test(note)) return { kind: 'status', codes: uniq, closeOk, orParsed, silenceOk: true };
    return { kind: 'status', codes: uniq, closeOk, orParsed };
  }
  if (/^DROP/.test(row.verdict)) return { kind: 'drop' };
  if (/^(ACCEPT|TOLERATE)/.test(row.verdict)) return { kind: 'parsed' };
  return { kind: 'liveness-only' };
}

export interface Observation {
  /** First lines of everything received, in order. */
  readonly responses: readonly string[];
  readonly closed: boolean;
}

export function firstFinal(responses: readonly string[]): number | null {
  for (const r of responses) {
    const m = /^SIP\/2\.0 (\d{3})/.exec(r);
    if (m && Number(m[1]) >= 200) return Number(m[1]);
  }
  return null;
}

/** null = not scored. */
export function matches(exp: Expectation, obs: Observation): boolean | null {
  const final = firstFinal(obs.responses);
  const anySip = obs.responses.some((r) => r.startsWith('SIP/2.0 '));
  switch (exp.kind) {
    case 'liveness-only':
      return null;
    case 'drop':
      return !anySip;
    case 'parsed':
      return final !== null && final !== 400 && final !== 500;
    case 'status':
      if (final !== null) return exp.codes.includes(final) || (exp.orParsed === true && final !== 500);
      if (exp.closeOk === true && obs.closed) return true;
      return exp.silenceOk === true && !anySip;
  }
}
