/**
 * RFC 4475 (SIP torture messages) and RFC 5118 (IPv6) against parseMessage + validateRequest,
 * scored by the verdict column of INDEX.tsv and the statuses named in its gateway note.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseMessage, SipParseError } from '../../../../../gateway/sip/embedded/parser.ts';
import { validateRequest } from '../../../../../gateway/sip/embedded/validate.ts';
import { StreamFramer } from '../../../../../gateway/sip/embedded/stream-framer.ts';
import type { SipMessage } from '../../../../../gateway/sip/embedded/message.ts';
import { conformanceDir, haveConformanceData } from './conformance-data.ts';

const dir = path.join(conformanceDir, 'rfc4475');
const skip = haveConformanceData ? false : 'shared/sip-conformance not present beside the checkout';

interface Row { file: string; verdict: string; note: string }
function rows(): Row[] {
  const [header, ...lines] = readFileSync(path.join(dir, 'INDEX.tsv'), 'utf8').trim().split('\n');
  const cols = header!.split('\t');
  const at = (name: string): number => cols.indexOf(name);
  return lines.map((l) => l.split('\t')).map((c) => ({ file: c[at('file')]!, verdict: c[at('verdict')]!, note: c[at('gateway_uas_note')] ?? '' }));
}

type Outcome = { kind: 'parsed'; msg: SipMessage; status: number | undefined } | { kind: 'error'; status: number | undefined };
function run(buf: Buffer): Outcome {
  try {
    const msg = parseMessage(buf, { transport: 'udp' });
    return { kind: 'parsed', msg, status: msg.kind === 'request' ? validateRequest(msg)?.status : undefined };
  } catch (e) {
    assert.ok(e instanceof SipParseError, `non-SipParseError thrown: ${String(e)}`);
    if (e.status !== undefined) assert.ok(e.request, 'a status without the partial request');
    return { kind: 'error', status: e.status };
  }
}

/** Statuses a note such as "400 (UDP); TCP: …" or "501 or 400" names. */
const statusesIn = (s: string): number[] => [...s.matchAll(/\b([1-6][0-9][0-9])\b/g)].map((m) => Number(m[1]));

test('every RFC 4475 / RFC 5118 message gets the verdict INDEX.tsv asks for', { skip }, () => {
  const all = rows();
  assert.equal(all.length, 49 + 12);
  const results: string[] = [];
  for (const { file, verdict, note } of all) {
    const out = run(readFileSync(path.join(dir, file)));
    const status = out.status;
    results.push(`${file}: ${out.kind} ${status ?? '-'}`);
    const where = `${file} (${verdict}) → ${out.kind} ${status}`;
    const named = statusesIn(note);
    if (verdict === 'ACCEPT') {
      assert.equal(out.kind, 'parsed', where);
      assert.equal(status, undefined, where);
    } else if (verdict.startsWith('ACCEPT (parse) ->')) {
      assert.equal(out.kind, 'parsed', where);
      assert.ok(statusesIn(verdict).includes(status!), where);
    } else if (verdict.startsWith('ACCEPT (parse) / 400')) {
      assert.ok(out.kind === 'parsed' || status === 400, where);
    } else if (verdict === 'ACCEPT (parse)') {
      assert.equal(out.kind, 'parsed', where);
    } else if (verdict === 'REJECT') {
      assert.ok(status !== undefined && status >= 400, where);
      if (named.length > 0) assert.ok(named.includes(status), `${where}; note allows ${named.join('/')}`);
    } else if (verdict.startsWith('REJECT (liberal accept allowed)')) {
      if (out.kind === 'error' || status !== undefined) assert.ok(status === 400 || named.includes(status!), where);
    } else if (verdict === 'DROP') {
      assert.ok((out.kind === 'error' && status === undefined) || (out.kind === 'parsed' && out.msg.kind === 'response'), where);
    } else if (verdict.startsWith('TOLERATE')) {
      assert.ok(out.kind === 'parsed' || status === 400, where);
    } else {
      assert.fail(`unknown verdict ${verdict}`);
    }
  }
});

test('specific torture semantics', { skip }, () => {
  const parse = (f: string): SipMessage => parseMessage(readFileSync(path.join(dir, f)));
  // dblreq: only the REGISTER; the INVITE in the trailing octets is ignored.
  const dbl = parse('dblreq.dat');
  assert.ok(dbl.kind === 'request' && dbl.method === 'REGISTER' && dbl.body.length === 0);
  // mpart01: 553 octets with NUL and bare CR, framed exactly.
  const mp = parse('mpart01.dat');
  assert.equal(mp.body.length, 553);
  assert.ok(mp.body.includes(0));
  // esc02: "C%6Fntact" is another header, so two Contacts, and the method is not REGISTER.
  const esc = parse('esc02.dat');
  assert.ok(esc.kind === 'request' && esc.method === 'RE%47IST%45R');
  assert.equal(esc.headers.getAll('Contact').length, 2);
  // wsinv: folded, spaced, compact, leading zeros; two Vias from one folded `v:` line plus one Via.
  const ws = parse('wsinv.dat');
  assert.equal(ws.headers.getAll('Via').length, 3);
  assert.equal(ws.headers.get('Max-Forwards'), '0068');
  assert.equal(ws.headers.get('NewFangledHeader'), 'newfangled value continued newfangled value');
  assert.equal(ws.body.length, 150);
  // longreq: 34 Via values in mixed case and compact form.
  assert.equal(parse('longreq.dat').headers.getAll('Via').length, 34);
  // inv2543: no Content-Length on UDP → body is the rest of the datagram.
  assert.ok(parse('inv2543.dat').body.toString().startsWith('v=0'));
  // bext01: 420 listing exactly the Require tags.
  const b = parse('bext01.dat');
  assert.ok(b.kind === 'request');
  assert.equal(validateRequest(b)?.headers?.Unsupported, 'nothingSupportsThis, nothingSupportsThisEither');
});

test('over TCP: clerr waits, ncl and mcl01 break framing, inv2543 needs a Content-Length', { skip }, () => {
  const push = (f: string): Buffer[] => new StreamFramer({ maxMessageBytes: 65_535 }).push(readFileSync(path.join(dir, f)));
  assert.deepEqual(push('clerr.dat'), []);
  for (const f of ['ncl.dat', 'mcl01.dat', 'inv2543.dat']) assert.throws(() => push(f), (e: unknown) => e instanceof SipParseError && e.status === 400, f);
  const [one] = push('wsinv.dat');
  assert.equal(parseMessage(one!, { transport: 'tcp' }).body.length, 150);
  assert.throws(() => parseMessage(readFileSync(path.join(dir, 'inv2543.dat')), { transport: 'tcp' }), SipParseError);
});
