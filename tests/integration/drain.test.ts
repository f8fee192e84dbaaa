/**
 * Drain on SIGTERM with calls in flight: /healthz turns 503 at once, a new INVITE gets 503 with
 * Retry-After, calls in progress go on — until they end by themselves (the process then exits at
 * once) or until calls.drainTimeoutSec, when each gets a proper BYE (answered by the caller) —
 * and the process exits 0 when the last call is gone.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startGateway, type Gateway } from './harness/gateway.ts';
import { startSipp } from './harness/sipp.ts';
import { UdpPeer, statusOf } from './harness/raw-sip.ts';
import { eventually } from './harness/eventually.ts';

async function health(gw: Gateway): Promise<number> {
  try {
    return (await fetch(`http://127.0.0.1:${gw.httpPort}/healthz`, { signal: AbortSignal.timeout(1000) })).status;
  } catch {
    return 0;
  }
}

async function newInviteStatus(gw: Gateway): Promise<string | undefined> {
  const peer = await UdpPeer.open();
  const id = randomBytes(6).toString('hex');
  const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n';
  const inv =
    `INVITE sip:100@127.0.0.1:${gw.sipPort} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${peer.localPort};rport;branch=z9hG4bK${id}\r\n` +
    `Max-Forwards: 70\r\nFrom: <sip:late@127.0.0.1>;tag=${id}\r\nTo: <sip:100@127.0.0.1>\r\nCall-ID: drain-${id}\r\nCSeq: 1 INVITE\r\n` +
    `Contact: <sip:late@127.0.0.1:${peer.localPort}>\r\nContent-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`;
  const got = await peer.exchange(inv, '127.0.0.1', gw.sipPort, 2000);
  peer.close();
  return got.find((m) => (statusOf(m) ?? 0) >= 200);
}

describe('drain on SIGTERM', () => {
  test('calls outlasting the drain window get a BYE at its end; health and new INVITEs answer 503; exit 0', { timeout: 60_000 }, async () => {
    const gw = await startGateway({ config: { calls: { drainTimeoutSec: 3 } } });
    const callers = await startSipp('uac-hold-until-bye.xml', { target: gw.target, calls: 2, timeoutMs: 45_000, extraArgs: ['-r', '10'] });
    try {
      assert.equal(await eventually(() => gw.metric('trunkline_active_calls'), (v) => v === 2, 10_000), 2, gw.describe());
      const t0 = Date.now();
      const stopped = gw.stop(20_000);
      assert.equal(await eventually(() => health(gw), (s) => s === 503, 2000, 50), 503, '/healthz turns 503 when draining');
      const late = await newInviteStatus(gw);
      assert.match(late ?? '<none>', /^SIP\/2\.0 503[^]*Retry-After: \d+/i, 'a new INVITE while draining gets 503 + Retry-After');
      assert.equal(await gw.metric('trunkline_active_calls'), 2, 'calls in progress go on');
      const exit = await stopped;
      const elapsed = Date.now() - t0;
      assert.deepEqual(exit, { code: 0, signal: null }, gw.describe());
      assert.ok(elapsed >= 2800 && elapsed < 9000, `exited after ${elapsed} ms (window 3 s)`);
      const r = await callers.done;
      assert.equal(r.exitCode, 0, `callers did not get (and answer) a BYE:\n${r.describe()}`);
      assert.equal(r.stats?.successful, 2);
      assert.match(gw.logTail(), /drain window over/);
    } finally {
      callers.kill();
      await gw.stop(2000);
    }
  });

  test('calls that end by themselves during the drain let the process exit at once', { timeout: 60_000 }, async () => {
    const gw = await startGateway({ config: { calls: { drainTimeoutSec: 60 } } });
    const callers = await startSipp('uac-short-call.xml', { target: gw.target, calls: 2, timeoutMs: 30_000, extraArgs: ['-r', '10', '-d', '3000'] });
    try {
      assert.equal(await eventually(() => gw.metric('trunkline_active_calls'), (v) => v === 2, 10_000), 2, gw.describe());
      const t0 = Date.now();
      const exit = await gw.stop(30_000);
      const elapsed = Date.now() - t0;
      assert.deepEqual(exit, { code: 0, signal: null }, gw.describe());
      assert.ok(elapsed < 8000, `exited ${elapsed} ms after SIGTERM; the calls lasted ~3 s`);
      const r = await callers.done;
      assert.equal(r.exitCode, 0, `the callers' own BYEs must still be answered while draining:\n${r.describe()}`);
    } finally {
      callers.kill();
      await gw.stop(2000);
    }
  });
});
