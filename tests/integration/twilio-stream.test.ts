/**
 * A Twilio-like Media Streams client against the running gateway: the stream is a call routed to the
 * voice menu; the greeting arrives as μ-law `media` messages with speech energy; a `dtmf` 9 gets the
 * goodbye and then the socket is closed by the gateway (1000), like a hang-up.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, type Gateway } from './harness/gateway.ts';
import { freeTcpPort } from './harness/ports.ts';
import { eventually, sleep } from './harness/eventually.ts';
import { TwilioClient, loudSeconds } from '../fakes/twilio/twilio-client.ts';

describe('Twilio Media Streams ingress', () => {
  let gw: Gateway;
  let url: string;

  before(async () => {
    const port = await freeTcpPort();
    url = `ws://127.0.0.1:${port}/twilio/stream`;
    gw = await startGateway({ config: { twilio: { enabled: true, port } } });
  });

  after(async () => {
    if (!gw) return;
    const running = gw.isRunning();
    const exit = await gw.stop();
    assert.ok(running, `gateway died during the tests: ${JSON.stringify(exit)}\n${gw.describe()}`);
  });

  test('greeting heard as μ-law media, dtmf 9 → goodbye → close 1000', { timeout: 60_000 }, async () => {
    const calls0 = await gw.metric('trunkline_calls_total', { result: 'agent-hangup' });
    const c = new TwilioClient({ url, customParameters: { from: '+15550100', to: '+15550199', account: 'gold' } });
    await c.start();
    // The greeting (~6 s of speech from espeak-ng) starts at once; wait for 2 s of loud audio.
    const heard = await eventually(async () => loudSeconds(c.playedPcm()), (s) => s >= 2, 20_000, 200);
    assert.ok(heard >= 2, `heard ${heard}s of speech; received ${c.received.length} messages\n${gw.describe()}`);
    assert.ok(c.received.some((m) => m.event === 'mark'), 'the gateway sends marks to learn what was played');
    assert.ok(c.echoedMarks.length > 0);
    const beforeDtmf = c.playedPcm().length;
    c.dtmf('9');
    const code = await Promise.race([c.closed, sleep(30_000).then(() => -1)]);
    assert.equal(code, 1000, `socket not closed by the gateway\n${gw.describe()}`);
    // The goodbye (~2 s) was heard after the digit; the menu interrupts its prompt with `clear` first.
    const after9 = c.playedPcm().subarray(beforeDtmf);
    assert.ok(loudSeconds(after9) >= 1, `goodbye: ${loudSeconds(after9)}s of speech after the digit`);
    assert.ok(c.clears >= 1, 'barge-in by DTMF sends clear');
    const calls = await eventually(() => gw.metric('trunkline_calls_total', { result: 'agent-hangup' }), (v) => v >= calls0 + 1);
    assert.equal(calls, calls0 + 1, gw.describe());
    assert.ok((await gw.metric('trunkline_dtmf_digits_total', { source: 'twilio' })) >= 1);
  });

  test('caller hang-up (stop) ends the call; garbage and unknown paths are counted and refused', { timeout: 30_000 }, async () => {
    const hangups0 = await gw.metric('trunkline_calls_total', { result: 'caller-hangup' });
    const c = new TwilioClient({ url });
    await c.start();
    c.ws.send('this is not json');
    c.ws.send(Buffer.from([1, 2, 3]));
    c.sendJson({ event: 'media', streamSid: c.streamSid, media: {} });
    await sleep(500);
    c.stop();
    const hangups = await eventually(() => gw.metric('trunkline_calls_total', { result: 'caller-hangup' }), (v) => v >= hangups0 + 1);
    assert.equal(hangups, hangups0 + 1, gw.describe());
    assert.ok((await gw.metric('trunkline_stream_messages_dropped_total', { leg: 'twilio', reason: 'not-json' })) >= 1);
    assert.ok((await gw.metric('trunkline_stream_messages_dropped_total', { leg: 'twilio', reason: 'binary' })) >= 1);
    assert.ok((await gw.metric('trunkline_stream_messages_dropped_total', { leg: 'twilio', reason: 'missing-field' })) >= 1);
    c.close();
    const bad = new TwilioClient({ url: url.replace('/twilio/stream', '/nope') });
    await assert.rejects(bad.opened);
    assert.ok((await gw.metric('trunkline_stream_connections_total', { leg: 'twilio', result: 'bad-path' })) >= 1);
  });
});
