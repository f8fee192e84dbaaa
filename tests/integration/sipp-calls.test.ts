/**
 * SIPp callers against the running gateway: call flows of RFC 3261 each checked by a SIPp scenario
 * (tests/integration/scenarios/) and by the gateway's own /metrics afterwards.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, type Gateway } from './harness/gateway.ts';
import { runSipp, type SippResult } from './harness/sipp.ts';
import { eventually } from './harness/eventually.ts';

// A ring delay makes CANCEL-before-answer deterministic; a short drain keeps shutdown quick.
const CONFIG = { calls: { answerDelayMs: 1500, drainTimeoutSec: 2 } };

describe('SIPp callers', () => {
  let gw: Gateway;

  before(async () => {
    gw = await startGateway({ config: CONFIG });
  });

  after(async () => {
    if (!gw) return;
    const running = gw.isRunning();
    const exit = await gw.stop();
    assert.ok(running, `gateway died during the tests: ${JSON.stringify(exit)}\n${gw.describe()}`);
  });

  const explain = (r: SippResult): string => `${r.describe()}\n${gw.describe()}`;
  const calls = (result: string): Promise<number> => gw.metric('trunkline_calls_total', { result });

  test('OPTIONS over UDP and TCP: 200 with Allow listing INVITE', { timeout: 30_000 }, async () => {
    for (const transport of ['udp', 'tcp'] as const) {
      const r = await runSipp('uac-options.xml', { target: gw.target, transport, timeoutMs: 10_000 });
      assert.equal(r.exitCode, 0, `${transport}: ${explain(r)}`);
    }
    assert.ok((await gw.metric('trunkline_sip_requests_received_total', { method: 'OPTIONS' })) >= 2);
  });

  test('PCMA call: audio reaches the gateway, greeting comes back, caller BYE ends it', { timeout: 60_000 }, async () => {
    const [hangups0, rtpIn0, rtpOut0, invites0] = await Promise.all([
      calls('caller-hangup'),
      gw.metric('trunkline_rtp_packets_received_total'),
      gw.metric('trunkline_rtp_packets_sent_total'),
      gw.metric('trunkline_sip_requests_received_total', { method: 'INVITE' }),
    ]);
    const r = await runSipp('uac-pcma-audio.xml', { target: gw.target, timeoutMs: 40_000 });
    assert.equal(r.exitCode, 0, explain(r));
    const hangups = await eventually(() => calls('caller-hangup'), (v) => v >= hangups0 + 1);
    assert.equal(hangups, hangups0 + 1, `caller-hangup not counted\n${gw.describe()}`);
    // g711a.pcap holds 236 packets (7 s); allow for the jitter buffer's first packets and loss.
    const rtpIn = (await gw.metric('trunkline_rtp_packets_received_total')) - rtpIn0;
    assert.ok(rtpIn >= 200, `gateway counted ${rtpIn} RTP packets from the caller`);
    // ~9 s of call at 20 ms: the greeting and prompt must have been sent.
    const rtpOut = (await gw.metric('trunkline_rtp_packets_sent_total')) - rtpOut0;
    assert.ok(rtpOut >= 100, `gateway sent ${rtpOut} RTP packets`);
    assert.equal((await gw.metric('trunkline_sip_requests_received_total', { method: 'INVITE' })) - invites0, 1);
  });

  test('PCMA call over TCP completes', { timeout: 60_000 }, async () => {
    const hangups0 = await calls('caller-hangup');
    const r = await runSipp('uac-pcma-audio.xml', { target: gw.target, transport: 'tcp', timeoutMs: 40_000 });
    assert.equal(r.exitCode, 0, explain(r));
    assert.equal(await eventually(() => calls('caller-hangup'), (v) => v >= hangups0 + 1), hangups0 + 1);
  });

  test('DTMF 1 then 9 (RFC 4733): the gateway says goodbye and sends BYE', { timeout: 60_000 }, async () => {
    const [digits0, agentHangups0] = await Promise.all([gw.metric('trunkline_dtmf_digits_total'), calls('agent-hangup')]);
    const r = await runSipp('uac-dtmf-goodbye.xml', { target: gw.target, timeoutMs: 50_000 });
    assert.equal(r.exitCode, 0, explain(r));
    assert.match(r.messages, /^BYE sip:/m, 'no BYE from the gateway in the trace');
    const digits = (await gw.metric('trunkline_dtmf_digits_total')) - digits0;
    assert.equal(digits, 2, `gateway counted ${digits} DTMF digits for "1" and "9"`);
    assert.equal(await eventually(() => calls('agent-hangup'), (v) => v >= agentHangups0 + 1), agentHangups0 + 1);
  });

  test('CANCEL while ringing: 200 for the CANCEL, 487 for the INVITE', { timeout: 30_000 }, async () => {
    const cancels0 = await calls('caller-cancel');
    const r = await runSipp('uac-cancel.xml', { target: gw.target, timeoutMs: 15_000 });
    assert.equal(r.exitCode, 0, explain(r));
    assert.equal(await eventually(() => calls('caller-cancel'), (v) => v >= cancels0 + 1), cancels0 + 1);
  });

  test('re-INVITE hold (sendonly → recvonly) and resume (sendrecv → sendrecv)', { timeout: 40_000 }, async () => {
    const hangups0 = await calls('caller-hangup');
    const r = await runSipp('uac-reinvite-hold.xml', { target: gw.target, timeoutMs: 30_000 });
    assert.equal(r.exitCode, 0, explain(r));
    assert.equal(await eventually(() => calls('caller-hangup'), (v) => v >= hangups0 + 1), hangups0 + 1);
  });

  test('an offer with only G.729 is refused with 488', { timeout: 30_000 }, async () => {
    const rejected0 = await calls('rejected');
    const r = await runSipp('uac-g729-only.xml', { target: gw.target, timeoutMs: 15_000 });
    assert.equal(r.exitCode, 0, explain(r));
    assert.equal(await eventually(() => calls('rejected'), (v) => v >= rejected0 + 1), rejected0 + 1);
  });

  test('a BYE for an unknown dialog gets 481', { timeout: 20_000 }, async () => {
    const r = await runSipp('uac-bye-unknown-dialog.xml', { target: gw.target, timeoutMs: 10_000 });
    assert.equal(r.exitCode, 0, explain(r));
  });

  test('no call is left behind', { timeout: 15_000 }, async () => {
    const active = await eventually(() => gw.metric('trunkline_active_calls'), (v) => v === 0, 10_000);
    assert.equal(active, 0, gw.describe());
  });
});
