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
import { renderCase, splitPdus } from '../../../../integration/harness/protos-cases.ts';

const dir = path.join(conformanceDir, 'protos-c07-sip');
const skip = haveConformanceData ? false : 'shared/sip-conformance not present beside the checkout';

/** Placeholder substitution shared with the live-gateway replay: target 127.0.0.1:5060, local 127.0.0.2:5062. */
function render(pdu: Buffer, n: number): Buffer {
  return renderCase(pdu, n, { host: '127.0.0.1', port: 5060 }, { host: '127.0.0.2', port: 5062 }, '');
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
