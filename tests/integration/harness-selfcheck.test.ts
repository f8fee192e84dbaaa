/**
 * Checks the integration tooling itself against real peers, without the gateway: SIPp against a SIPp
 * callee, baresip against a SIPp callee that plays a recorded voice, and the pure helpers (WAV energy,
 * Prometheus parsing, torture expectations). When a gateway test fails, this file tells whether the
 * harness or the gateway is at fault.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { Baresip } from './harness/baresip.ts';
import { SHARED_CONFORMANCE } from './harness/gateway.ts';
import { metricSum, parseProm } from './harness/prom.ts';
import { runSipp, startSipp } from './harness/sipp.ts';
import { expectationFor, matches, parseIndex } from './harness/torture-expect.ts';
import { parseWav, readWav, speechEnergy } from './harness/wav.ts';
import { sleep } from './harness/eventually.ts';

function pcm16Wav(samples: Int16Array, rate: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + samples.length * 2, 4);
  h.write('WAVEfmt ', 8, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(samples.length * 2, 40);
  return Buffer.concat([h, Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength)]);
}

describe('pure helpers', () => {
  test('speechEnergy counts exactly the loud part of a tone-then-silence WAV', () => {
    const rate = 8000;
    const s = new Int16Array(rate * 3); // 1 s of 440 Hz at -10 dBFS, then 2 s of near-silence
    for (let i = 0; i < rate; i++) s[i] = Math.round(10000 * Math.sin((2 * Math.PI * 440 * i) / rate));
    for (let i = rate; i < s.length; i++) s[i] = i % 2 ? 8 : -8;
    const e = speechEnergy(parseWav(pcm16Wav(s, rate)));
    assert.equal(e.durationSec, 3);
    assert.equal(e.speechSec, 1);
    assert.equal(e.firstSpeechSec, 0);
  });

  test('parseProm sums series by label subset', () => {
    const text = '# TYPE c counter\nc{result="a",x="1"} 2\nc{result="a",x="2"} 3\nc{result="b"} 7\ng 4\n';
    const s = parseProm(text);
    assert.equal(metricSum(s, 'c', { result: 'a' }), 5);
    assert.equal(metricSum(s, 'c'), 12);
    assert.equal(metricSum(s, 'g'), 4);
    assert.equal(metricSum(s, 'missing'), 0);
  });

  test('every INDEX.tsv row maps to an expectation, and known rows map as the notes say', { skip: !existsSync(path.join(SHARED_CONFORMANCE, 'rfc4475/INDEX.tsv')) }, () => {
    const rows = parseIndex(readFileSync(path.join(SHARED_CONFORMANCE, 'rfc4475/INDEX.tsv'), 'utf8'));
    assert.equal(rows.length, 61);
    const by = (f: string) => rows.find((r) => r.file === f) ?? assert.fail(f);
    assert.deepEqual(expectationFor(by('wsinv.dat'), 'udp'), { kind: 'status', codes: [481], closeOk: false, orParsed: false });
    assert.deepEqual(expectationFor(by('bigcode.dat'), 'udp'), { kind: 'drop' });
    assert.deepEqual(expectationFor(by('dblreq.dat'), 'tcp'), { kind: 'liveness-only' });
    assert.equal(matches(expectationFor(by('sdp01.dat'), 'udp'), { responses: ['SIP/2.0 200 OK'], closed: false }), false);
    assert.equal(matches(expectationFor(by('ncl.dat'), 'tcp'), { responses: [], closed: true }), true);
    assert.equal(matches(expectationFor(by('ncl.dat'), 'udp'), { responses: [], closed: false }), false);
    assert.equal(matches(expectationFor(by('esc01.dat'), 'udp'), { responses: ['SIP/2.0 100 Trying', 'SIP/2.0 200 OK'], closed: false }), true);
  });
});

describe('SIPp against a SIPp callee', () => {
  test('PCMA call with audio and BYE completes', { timeout: 40_000 }, async () => {
    const uas = await startSipp('peer-uas-audio.xml', { timeoutMs: 30_000 });
    await sleep(300);
    const r = await runSipp('uac-pcma-audio.xml', { target: `127.0.0.1:${uas.localPort}`, timeoutMs: 20_000 });
    const u = await uas.done;
    assert.equal(r.exitCode, 0, r.describe());
    assert.equal(u.exitCode, 0, u.describe());
    assert.equal(r.stats?.successful, 1);
  });

  test('CANCEL scenario gets 200 + 487 and ACKs on the INVITE branch', { timeout: 30_000 }, async () => {
    const uas = await startSipp('peer-uas-ringing.xml', { timeoutMs: 15_000 });
    await sleep(300);
    const r = await runSipp('uac-cancel.xml', { target: `127.0.0.1:${uas.localPort}`, timeoutMs: 10_000 });
    const u = await uas.done;
    assert.equal(r.exitCode, 0, r.describe());
    assert.equal(u.exitCode, 0, u.describe());
  });

  test('a scenario whose expectation is not met fails (exit 1)', { timeout: 30_000 }, async () => {
    // The ringing callee never answers 200, so the PCMA caller must fail rather than pass vacuously.
    const uas = await startSipp('peer-uas-ringing.xml', { timeoutMs: 8_000 });
    await sleep(300);
    const r = await runSipp('uac-pcma-audio.xml', { target: `127.0.0.1:${uas.localPort}`, timeoutMs: 5_000 });
    uas.kill();
    await uas.done;
    assert.notEqual(r.exitCode, 0, r.describe());
  });
});

describe('baresip against a SIPp callee', () => {
  test('records what it hears: ~7 s of the callee’s voice', { timeout: 40_000 }, async () => {
    const uas = await startSipp('peer-uas-audio.xml', { timeoutMs: 30_000 });
    const b = await Baresip.start({ codecs: ['PCMA'], timeoutMs: 30_000 });
    try {
      b.dial(`sip:peer@127.0.0.1:${uas.localPort}`);
      await b.waitFor(/Call established/, 5000);
      await sleep(8000);
      b.hangup();
      await b.waitFor(/terminated/, 5000);
    } finally {
      await b.quit();
    }
    const u = await uas.done;
    assert.equal(u.exitCode, 0, u.describe());
    const wav = b.receivedWav();
    assert.ok(wav, `no recording in ${b.dir}`);
    const e = speechEnergy(readWav(wav));
    assert.ok(e.durationSec > 6.5, `recorded ${e.durationSec} s`);
    assert.ok(e.speechSec > 3, `speech ${JSON.stringify(e)}`);
  });
});
