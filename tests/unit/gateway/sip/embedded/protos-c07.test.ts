/**
 * All 4527 PROTOS c07-sip INVITE cases (University of Oulu) through parseMessage, validateRequest
 * and the stream framer: only SipParseError may ever escape, and the run must finish in bounded
 * time (no catastrophic backtracking on hostile input).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseMessage, SipParseError } from '../../../../../gateway/sip/embedded/parser.ts';
import { validateRequest } from '../../../../../gateway/sip/embedded/validate.ts';
import { StreamFramer } from '../../../../../gateway/sip/embedded/stream-framer.ts';
import { conformanceDir, haveConformanceData } from './conformance-data.ts';

const dir = path.join(conformanceDir, 'protos-c07-sip');
const skip = haveConformanceData ? false : 'shared/sip-conformance not present beside the checkout';

/** `<len> <pdu><len> <pdu>`: the malformed INVITE and its teardown (tools/protos_c07.py split_pdus). */
function splitPdus(raw: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let pos = 0;
  while (pos < raw.length && out.length < 4) {
    const sp = raw.indexOf(0x20, pos);
    const len = Number(raw.toString('latin1', pos, sp));
    out.push(raw.subarray(sp + 1, sp + 1 + len));
    pos = sp + 1 + len;
  }
  return out;
}

function replaceAll(b: Buffer, key: string, value: string): Buffer {
  const k = Buffer.from(key);
  const v = Buffer.from(value);
  const parts: Buffer[] = [];
  let pos = 0;
  for (let i = b.indexOf(k); i >= 0; i = b.indexOf(k, pos)) {
    parts.push(b.subarray(pos, i), v);
    pos = i + k.length;
  }
  parts.push(b.subarray(pos));
  return Buffer.concat(parts);
}

/** Placeholder substitution as in tools/protos_c07.py render(), target 127.0.0.1:5060, local 127.0.0.2:5062. */
function render(pdu: Buffer, n: number): Buffer {
  const id = String(n).padStart(7, '0');
  const subs: [string, string][] = [
    ['<To>', 'service@127.0.0.1:5060'], ['<From-Address>', '127.0.0.2'], ['<Local-Port>', '5062'], ['<Branch-ID>', id],
    ['<From>', 'protos@127.0.0.2'], ['<Call-ID>', `protos-c07-${id}`], ['<CSeq>', String(n + 1)], ['<From-IP>', '127.0.0.2'],
    ['<Teardown-Method>', 'CANCEL'],
  ];
  let p = pdu;
  for (const [k, v] of subs) p = replaceAll(p, k, v);
  if (p.includes('<Content-Length>')) {
    const i = p.indexOf('\r\n\r\n');
    p = replaceAll(p, '<Content-Length>', String(i >= 0 ? p.length - (i + 4) : 0));
  }
  return p;
}

interface Group { name: string; first: number; count: number }
function groups(): Group[] {
  return readFileSync(path.join(dir, 'GROUPS.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => {
    const [name, first, count] = l.split('\t');
    return { name: name!, first: Number(first), count: Number(count) };
  });
}

test('PROTOS c07-sip: 4527 cases, only SipParseError, bounded time', { skip, timeout: 120_000 }, (t) => {
  const files = readdirSync(path.join(dir, 'raw')).filter((f) => /^[0-9]{7}$/.test(f)).sort();
  assert.equal(files.length, 4527);
  const cases = files.map((f) => splitPdus(readFileSync(path.join(dir, 'raw', f))).map((p) => render(p, Number(f))));
  const verdict: string[] = [];
  let slowest = 0;
  const t0 = performance.now();
  cases.forEach((pdus, n) => {
    const c0 = performance.now();
    for (const [i, pdu] of pdus.entries()) {
      let v: string;
      try {
        const m = parseMessage(pdu, { transport: 'udp', maxBytes: 65_535 });
        v = m.kind === 'request' ? `ok:${validateRequest(m)?.status ?? 'pass'}` : 'response';
        assert.ok(pdu.length <= 65_535, `case ${n}: ${pdu.length} bytes accepted over the cap`);
      } catch (e) {
        if (!(e instanceof SipParseError)) assert.fail(`case ${n}: ${String(e)}`);
        if (e.status !== undefined) assert.ok(e.request, `case ${n}: status without the partial request`);
        v = `err:${e.status ?? 'drop'}`;
        // 513 only for messages over the cap (81 cases exceed one UDP datagram).
        if (e.status === 513) assert.ok(pdu.length > 65_535, `case ${n}: 513 for ${pdu.length} bytes`);
      }
      if (i === 0) verdict[n] = v;
      // The same bytes as one TCP stream: frames or fails with SipParseError, never anything else.
      try {
        new StreamFramer({ maxMessageBytes: 65_535 }).push(pdu);
      } catch (e) {
        if (!(e instanceof SipParseError)) assert.fail(`case ${n} (framer): ${String(e)}`);
      }
    }
    slowest = Math.max(slowest, performance.now() - c0);
  });
  const total = performance.now() - t0;
  t.diagnostic(`4527 PROTOS cases parsed in ${total.toFixed(0)} ms (slowest case ${slowest.toFixed(1)} ms)`);
  assert.ok(total < 30_000, `took ${total} ms`);
  assert.ok(slowest < 1_000, `a single case took ${slowest} ms`);

  assert.equal(verdict[0], 'ok:pass', 'the valid reference INVITE');
  const byGroup = new Map(groups().map((g) => [g.name, verdict.slice(g.first, g.first + g.count)]));
  // The SDP groups only break the body: the SIP message itself is valid and must pass (or be too big).
  for (const [name, vs] of byGroup) {
    const bad = vs.filter((v) => v !== 'ok:pass' && v !== 'err:513');
    if (name.startsWith('sdp-')) assert.deepEqual(bad, [], name);
  }
  // Broken methods, versions, Via params and CRLF structure are always refused with an answerable status (513 when also oversized).
  for (const name of ['sip-method', 'sip-version', 'sip-via-tag', 'sip-request-crlf', 'crlf-request']) {
    const vs = byGroup.get(name)!;
    assert.ok(vs.every((v) => /^(err|ok):(400|505|513)$/.test(v)), `${name}: ${vs.join(',')}`);
  }
});
