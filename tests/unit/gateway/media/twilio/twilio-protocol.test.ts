import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createResampler } from '../../../../../codecs/index.ts';
import type { AudioFrame } from '../../../../../codecs/types.ts';
import { silentLogger } from '../../../../../gateway/log.ts';
import { Pacer } from '../../../../../gateway/media/pacer.ts';
import { TwilioStreamServer } from '../../../../../gateway/media/twilio/twilio-server.ts';
import type { TwilioDialog } from '../../../../../gateway/media/twilio/twilio-dialog.ts';
import type { TwilioLeg } from '../../../../../gateway/media/twilio/twilio-leg.ts';
import { parseTwilioMessage } from '../../../../../gateway/media/twilio/twilio-wire.ts';
import { MarkLedger } from '../../../../../gateway/media/freeswitch/acked-playout.ts';
import { TwilioClient, loudSeconds } from '../../../../fakes/twilio/twilio-client.ts';

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function until(ok: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok() && Date.now() < end) await wait(10);
}

describe('Twilio Media Streams wire', () => {
  test('parses the documented messages and refuses malformed ones', () => {
    const start = parseTwilioMessage(JSON.stringify({ event: 'start', sequenceNumber: '1', streamSid: 'MZ1', start: { streamSid: 'MZ1', accountSid: 'AC', callSid: 'CA1', tracks: ['inbound'], customParameters: { tier: 'gold', n: 3 }, mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } } }));
    assert.ok(typeof start !== 'string' && start.event === 'start');
    assert.deepEqual(start.event === 'start' && start.start.customParameters, { tier: 'gold' }, 'non-string parameters dropped');
    assert.equal(parseTwilioMessage('{'), 'not-json');
    assert.equal(parseTwilioMessage('[1]'), 'not-object');
    assert.equal(parseTwilioMessage('{"event":"nope"}'), 'unknown-event');
    assert.equal(parseTwilioMessage('{"event":"media","media":{}}'), 'missing-field');
    assert.equal(parseTwilioMessage('{"event":"dtmf","dtmf":{}}'), 'missing-field');
  });

  test('mark ledger: acked position, bounded pending, flush after clear', () => {
    const l = new MarkLedger(100);
    const names: string[] = [];
    for (let i = 0; i < 10; i++) {
      const n = l.sent(20);
      if (n) names.push(n);
    }
    assert.equal(names.length, 2);
    assert.equal(l.unackedMs, 200);
    assert.ok(l.ack(names[0]!));
    assert.equal(l.ackedMs, 100);
    assert.equal(l.ack('never-sent'), false);
    l.flush();
    assert.equal(l.unackedMs, 0);
    for (let i = 0; i < 2000; i++) l.sent(100);
    assert.ok(l.pendingMarks <= 256);
  });
});

describe('Twilio stream server + leg', () => {
  const pacer = new Pacer();
  let server: TwilioStreamServer;
  let url: string;
  const calls: { dialog: TwilioDialog; leg: TwilioLeg }[] = [];

  before(async () => {
    server = new TwilioStreamServer({ bind: '127.0.0.1', port: 0, path: '/twilio/stream', trunk: 'twilio', startTimeoutMs: 300, mediaTimeoutSec: 30, pacer, log: silentLogger, makeResampler: createResampler, authToken: 'tok', publicUrl: 'wss://example.test/twilio/stream' });
    server.on('call', (dialog, leg) => calls.push({ dialog, leg }));
    await server.start();
    url = `ws://127.0.0.1:${server.port}/twilio/stream`;
  });
  after(async () => {
    pacer.stop();
    await server.close();
  });
  const sig = createHmac('sha1', 'tok').update('wss://example.test/twilio/stream').digest('base64');

  test('start → call with custom parameters as context; media decoded into 20 ms frames; dtmf', async () => {
    const tone = new Int16Array(8000).map((_, i) => Math.round(6000 * Math.sin((2 * Math.PI * 300 * i) / 8000)));
    const c = new TwilioClient({ url, headers: { 'X-Twilio-Signature': sig }, customParameters: { from: '+15550100', to: '+15550199', Tier: 'gold' }, callerPcm: tone });
    await c.start();
    await until(() => calls.length === 1);
    const { dialog, leg } = calls[0]!;
    assert.equal(dialog.backend, 'twilio');
    assert.equal(dialog.info.callId, c.callSid);
    assert.equal(dialog.info.from, '+15550100');
    assert.equal(dialog.info.dialed, '+15550199');
    assert.equal(dialog.info.headers['tier'], 'gold');
    assert.equal(dialog.info.trunk, 'twilio');
    const frames: AudioFrame[] = [];
    leg.connectInput({ write: (f) => frames.push({ ...f, samples: f.samples.slice() }), describe: () => 'rec' });
    await until(() => frames.length >= 10);
    assert.ok(frames.every((f) => f.samples.length === 160 && f.sampleRate === 8000));
    assert.ok(loudSeconds(frames.flatMap((f) => Array.from(f.samples)).reduce((a, s, i) => ((a[i] = s), a), new Int16Array(frames.length * 160))) > 0.1);
    const digits: string[] = [];
    leg.on('dtmf', (d) => digits.push(`${d.digit}/${d.source}`));
    c.dtmf('7');
    c.dtmf('zz');
    await until(() => digits.length >= 1);
    assert.deepEqual(digits, ['7/twilio']);

    // Agent audio: media out at real time, marks echoed, clear on barge-in with played ms corrected.
    const done = leg.output.play('greeting', tone);
    await until(() => c.echoedMarks.length >= 3, 3000);
    assert.ok(c.received.some((m) => m.event === 'media'));
    const reports = leg.output.clear();
    const r = await done;
    assert.equal(reports.length, 1);
    assert.ok(r.interrupted);
    const heardMs = c.played.length * 20;
    assert.ok(r.playedMs <= heardMs + 20, `reported ${r.playedMs} ms, the client played ${heardMs} ms`);
    await until(() => c.clears === 1);
    assert.equal(c.clears, 1);

    // The caller hangs up: stop → bye + ended on the dialog, leg closed.
    const ev: string[] = [];
    dialog.on('bye', () => ev.push('bye'));
    await dialog.answer();
    c.stop();
    await until(() => ev.length > 0);
    assert.deepEqual(ev, ['bye']);
    assert.equal(dialog.state, 'terminated');
    c.close();
  });

  test('our hang-up closes with 1000; refer is not possible; sendDtmf rejects', async () => {
    const c = new TwilioClient({ url, headers: { 'X-Twilio-Signature': sig } });
    await c.start();
    await until(() => calls.length === 2);
    const { dialog, leg } = calls[1]!;
    await dialog.answer();
    assert.deepEqual(await dialog.refer(), { ok: false, stage: 'rejected', status: 501 });
    await assert.rejects(leg.sendDtmf(['1']));
    await dialog.bye();
    assert.equal(await c.closed, 1000);
    leg.close('test');
  });

  test('bad signature 403, no start within the timeout 1008, unsupported format 1003', async () => {
    const unsigned = new TwilioClient({ url });
    await assert.rejects(unsigned.opened);
    const silent = new TwilioClient({ url, headers: { 'X-Twilio-Signature': sig } });
    await silent.opened;
    assert.equal(await silent.closed, 1008);
    const alaw = new TwilioClient({ url, headers: { 'X-Twilio-Signature': sig } });
    await alaw.opened;
    alaw.sendJson({ event: 'start', sequenceNumber: '1', streamSid: 'MZ9', start: { streamSid: 'MZ9', accountSid: 'AC', callSid: 'CA9', tracks: ['inbound'], customParameters: {}, mediaFormat: { encoding: 'audio/x-alaw', sampleRate: 8000, channels: 1 } } });
    assert.equal(await alaw.closed, 1003);
    assert.equal(calls.length, 2, 'none of them became a call');
  });
});
