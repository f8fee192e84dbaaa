/**
 * Real calls from baresip through the running gateway to the strict local Realtime server (TLS, the
 * `openai` package's own WebSocket client in the gateway): the greeting is heard, an interruption
 * stops playback and the model's memory is truncated to what baresip recorded, an invalid tool call
 * is never executed, the session is pre-warmed during ringing and closed on a hang-up, and a failing
 * provider hands the call to the local voice menu without long dead air.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Baresip } from './harness/baresip.ts';
import { startGateway, type Gateway } from './harness/gateway.ts';
import { eventually, sleep } from './harness/eventually.ts';
import { readWav, speechEnergy, type Wav } from './harness/wav.ts';
import { FakeRealtimeServer, until } from '../fakes/openai-realtime/server.ts';
import type { FakeRealtimeConnection } from '../fakes/openai-realtime/connection.ts';
import { speechWav24k } from '../fakes/openai-realtime/speech.ts';

const KEY = 'sk-local-test';
const RACES = /^response_cancel_not_active/;

/** First and last sample above `level`, in ms: the span of audible audio. */
function audibleSpanMs(samples: Int16Array, rate: number, level = 200): number {
  let first = -1;
  let last = -1;
  for (let i = 0; i < samples.length; i++) {
    if (Math.abs(samples[i]!) > level) {
      if (first < 0) first = i;
      last = i;
    }
  }
  return first < 0 ? 0 : ((last - first) * 1000) / rate;
}

describe('speech-to-speech calls (OpenAI Realtime, local strict server)', () => {
  let server: FakeRealtimeServer;
  let gw: Gateway;
  let speech: Int16Array;

  before(async () => {
    server = await FakeRealtimeServer.start({ apiKey: KEY });
    speech = speechWav24k('Hello, and thank you for calling Trunkline. I am the speech to speech agent. How can I help you today? I can tell you about the gateway, its codecs, and its agents.');
    gw = await startGateway({
      config: {
        codecs: ['G722', 'PCMU', 'PCMA'],
        agent: { default: 's2s', s2s: { responseTimeoutMs: 1500 } },
        // s2s first, then straight to the local voice menu (the cascade would call the same fake host).
        routing: { default: { agent: 's2s', fallback: ['menu'] } },
        personas: { default: { tools: ['end_call', 'send_dtmf'] } }, calls: { drainTimeoutSec: 2, answerDelayMs: 500 } },
      env: { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: server.baseUrl, NODE_EXTRA_CA_CERTS: server.cert.certFile },
    });
  });

  after(async () => {
    const running = gw?.isRunning();
    if (gw) await gw.stop();
    await server?.close();
    assert.ok(running, `gateway died during the tests\n${gw?.describe()}`);
  });

  /** Answers the greeting request with `pcm`, once. */
  function greetWith(conn: FakeRealtimeConnection, pcm: Int16Array): Promise<ReturnType<FakeRealtimeConnection['respondWithAudio']>> {
    return new Promise((resolve) => {
      const on = (e: { type: string }): void => {
        if (e.type !== 'response.create') return;
        conn.off('event', on);
        resolve(conn.respondWithAudio(pcm, { chunkMs: 100, paceMs: 50, transcript: 'Hello, and thank you for calling Trunkline.' }));
      };
      conn.on('event', on);
    });
  }

  for (const codec of ['G722', 'PCMU'] as const) {
    test(`${codec}: pre-warmed greeting is heard; barge-in truncates the model's memory to what the caller heard`, { timeout: 60_000 }, async (t) => {
      const b = await Baresip.start({ codecs: [codec], timeoutMs: 40_000 });
      let conn: FakeRealtimeConnection;
      try {
        const next = server.nextConnection(10_000);
        b.dial(gw.uri());
        conn = await next;
        const greeting = greetWith(conn, speech);
        await b.waitFor(/Call established/, 10_000);
        // Pre-warm: the session was configured during the 500 ms of ringing, before the 200 OK.
        assert.ok(conn.session, 'session.update before answer');
        const resp = await greeting;
        await sleep(2500);
        conn.speechStarted();
        await until(() => conn.truncates.length > 0, 5000, 'truncate');
        await sleep(1500);
        b.hangup();
        await b.waitFor(/terminated/, 5000);
        assert.equal(await resp.done, 'cancelled');
      } finally {
        await b.quit();
      }
      assert.match(b.log(), new RegExp(`Set audio decoder: ${codec} ${codec === 'G722' ? 16000 : 8000}Hz`), b.log().slice(-1500));
      const wavFile = b.receivedWav();
      assert.ok(wavFile, `baresip recorded nothing\n${gw.describe()}`);
      const wav: Wav = readWav(wavFile);
      const e = speechEnergy(wav);
      t.diagnostic(`${codec} heard ${JSON.stringify(e)}; truncates ${JSON.stringify(conn.truncates)}`);
      assert.ok(e.firstSpeechSec !== null && e.firstSpeechSec < 1.5, `greeting started late: ${JSON.stringify(e)}`);
      const tr = conn.truncates[0]!;
      // What baresip heard of the item = the item's first audio_end_ms of speech, to within a few frames.
      const expected = audibleSpanMs(speech.subarray(0, Math.round(tr.audioEndMs * 24)), 24000);
      const heard = audibleSpanMs(wav.samples, wav.sampleRate);
      t.diagnostic(`audio_end_ms ${tr.audioEndMs}; audible span expected ${expected.toFixed(0)} ms, recorded ${heard.toFixed(0)} ms`);
      assert.ok(Math.abs(heard - expected) <= 80, `recorded ${heard} ms of agent speech, truncate implies ${expected} ms`);
      assert.ok(tr.audioEndMs >= 1500 && tr.audioEndMs <= 4000, `audio_end_ms ${tr.audioEndMs}`);
      assert.deepEqual(conn.violations.filter((v) => !RACES.test(v)), [], 'the gateway sent only events the API accepts');
      assert.ok((await gw.metric('trunkline_s2s_barge_ins_total')) >= 1);
    });
  }

  test('an invalid tool call is refused and never executed; a valid one is', { timeout: 60_000 }, async () => {
    const invalid0 = await gw.metric('trunkline_s2s_tool_calls_total', { result: 'invalid' });
    const b = await Baresip.start({ codecs: ['PCMU'], timeoutMs: 40_000 });
    let conn: FakeRealtimeConnection;
    try {
      const next = server.nextConnection(10_000);
      b.dial(gw.uri());
      conn = await next;
      const greeting = greetWith(conn, speech.subarray(0, 24000));
      await b.waitFor(/Call established/, 10_000);
      await (await greeting).done;
      // From now on every response the gateway asks for gets a short spoken answer.
      conn.on('event', (e) => e.type === 'response.create' && !conn.activeResponseId && conn.respondWithAudio(speech.subarray(0, 12000)));
      // end_call with an argument outside its schema: must not hang up.
      conn.functionCall('end_call', '{"reason":"because I said so","force":true}');
      await until(() => conn.received.some((e) => e.type === 'conversation.item.create'), 5000, 'function output');
      await sleep(2000);
      assert.doesNotMatch(b.log(), /terminated/, 'the invalid end_call hung up');
      // The model is asked to go on after the error output.
      await until(() => conn.received.filter((e) => e.type === 'response.create').length >= 2, 5000, 'response.create after the error');
      await until(() => conn.activeResponseId === undefined, 3000, 'idle');
      conn.functionCall('end_call', '{"reason":"resolved"}');
      await b.waitFor(/terminated/, 15_000).catch((err: Error) => assert.fail(`${err.message.slice(0, 300)}\n${gw.describe()}`));
    } finally {
      await b.quit();
    }
    const out = conn.received.find((e) => e.type === 'conversation.item.create');
    assert.ok(out && out.type === 'conversation.item.create' && out.item.type === 'function_call_output' && /error|invalid/i.test(out.item.output), JSON.stringify(out));
    assert.equal((await gw.metric('trunkline_s2s_tool_calls_total', { result: 'invalid' })) - invalid0, 1);
    assert.deepEqual(conn.violations.filter((v) => !RACES.test(v)), []);
  });

  test('a silent provider hands the call to the voice menu: no more than 2 s of dead air', { timeout: 60_000 }, async (t) => {
    const fb0 = await gw.metric('trunkline_agent_fallbacks_total', { from: 's2s' });
    const b = await Baresip.start({ codecs: ['PCMU'], timeoutMs: 40_000 });
    try {
      const next = server.nextConnection(10_000);
      b.dial(gw.uri());
      await next; // never answers the greeting request
      await b.waitFor(/Call established/, 10_000);
      await sleep(5000);
      b.hangup();
      await b.waitFor(/terminated/, 5000);
    } finally {
      await b.quit();
    }
    const wavFile = b.receivedWav();
    assert.ok(wavFile);
    const e = speechEnergy(readWav(wavFile));
    t.diagnostic(`heard ${JSON.stringify(e)}`);
    assert.ok(e.firstSpeechSec !== null && e.firstSpeechSec <= 2.0, `dead air of ${e.firstSpeechSec} s before the menu spoke\n${gw.describe()}`);
    assert.equal(await eventually(() => gw.metric('trunkline_agent_fallbacks_total', { from: 's2s' }), (v) => v >= fb0 + 1), fb0 + 1);
    assert.ok((await gw.metric('trunkline_s2s_provider_errors_total', { kind: 'silence' })) >= 1);
  });

  test('a dropped socket mid-call hands over to the menu', { timeout: 60_000 }, async () => {
    const fb0 = await gw.metric('trunkline_agent_fallbacks_total', { from: 's2s' });
    const b = await Baresip.start({ codecs: ['PCMU'], timeoutMs: 40_000 });
    try {
      const next = server.nextConnection(10_000);
      b.dial(gw.uri());
      const conn = await next;
      const greeting = greetWith(conn, speech.subarray(0, 24000));
      await b.waitFor(/Call established/, 10_000);
      await (await greeting).done;
      conn.drop();
      assert.equal(await eventually(() => gw.metric('trunkline_agent_fallbacks_total', { from: 's2s' }), (v) => v >= fb0 + 1, 5000), fb0 + 1);
      // The call goes on with the menu until the caller hangs up (the gateway's count, not baresip's
      // printout, which sometimes lags: see the report).
      const hangups0 = await gw.metric('trunkline_calls_total', { result: 'caller-hangup' });
      await sleep(1000);
      b.hangup();
      assert.equal(await eventually(() => gw.metric('trunkline_calls_total', { result: 'caller-hangup' }), (v) => v >= hangups0 + 1, 5000), hangups0 + 1, gw.describe());
    } finally {
      await b.quit();
    }
  });

  test('a hang-up while ringing closes the pre-warmed session', { timeout: 30_000 }, async () => {
    const b = await Baresip.start({ codecs: ['PCMU'], timeoutMs: 20_000 });
    try {
      const next = server.nextConnection(10_000);
      b.dial(gw.uri());
      const conn = await next; // opened at the INVITE, during the 500 ms of ringing
      b.hangup();
      await until(() => conn.closed, 5000, 'the pre-warmed session closed');
      assert.equal(conn.received.some((e) => e.type === 'response.create'), false, 'nothing was asked of the model');
    } finally {
      await b.quit();
    }
  });
});
