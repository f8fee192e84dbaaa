/**
 * The S2S agent against the strict local Realtime server over real TLS WebSockets, with a FakeLeg
 * whose Playout the test pulls like the 20 ms pacer does.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { codecInfo } from '../../../../codecs/index.ts';
import { OpenAIRealtimeProvider } from '../../../../agent/providers/s2s/openai-realtime.ts';
import type { S2sSessionSettings } from '../../../../agent/providers/s2s/types.ts';
import { audioFormatFor } from '../../../../agent/s2s/s2s-factory.ts';
import { S2sSession } from '../../../../agent/s2s/s2s-session.ts';
import { ToolRunner } from '../../../../agent/s2s/tool-runner.ts';
import { CallPolicy } from '../../../../agent/tools/call-policy.ts';
import { ToolRunner as PolicyToolRunner } from '../../../../agent/tools/tool-runner.ts';
import { ToolValidator } from '../../../../policies/tool-validation.ts';
import { BUILTIN_TOOLS } from '../../../../agent/s2s/tools.ts';
import type { AgentCallContext } from '../../../../agent/types.ts';
import type { CodecName } from '../../../../codecs/types.ts';
import { metrics } from '../../../../gateway/metrics.ts';
import { FakeLeg } from '../../../fakes/fake-leg.ts';
import { FakeRealtimeServer, until } from '../../../fakes/openai-realtime/server.ts';
import { speechWav24k } from '../../../fakes/openai-realtime/speech.ts';

const KEY = 'sk-test-s2s';
/** Refusals the real API also sends when a client's cancel races the server's own VAD cancel. */
const RACES = /^response_cancel_not_active/;

async function stopHistogram(): Promise<{ count: number; sum: number }> {
  const v = (await metrics.s2sBargeInStopSeconds.get()).values;
  return { count: v.find((x) => x.metricName?.endsWith('_count'))?.value ?? 0, sum: v.find((x) => x.metricName?.endsWith('_sum'))?.value ?? 0 };
}

interface Rig {
  session: S2sSession;
  leg: FakeLeg;
  fallbacks: string[];
  hangups: string[];
  heardMs: () => number;
  stopPacer: () => void;
}

describe('S2sSession with the OpenAI Realtime provider', () => {
  let server: FakeRealtimeServer;
  let speech: Int16Array;
  before(async () => {
    server = await FakeRealtimeServer.start({ apiKey: KEY });
    speech = speechWav24k('Hello, thank you for calling. How can I help you today? I can answer questions about your account.');
  });
  after(() => server.close());

  function rig(codec: CodecName, opts: { key?: string; responseTimeoutMs?: number; greeting?: string; policy?: CallPolicy } = {}): Rig {
    const leg = new FakeLeg(codecInfo(codec));
    const fallbacks: string[] = [];
    const hangups: string[] = [];
    const ctx: AgentCallContext = {
      callId: 'c1',
      band: 'wide',
      from: '+15550001',
      dialed: '+15550002',
      variables: {},
      leg,
      log: pino({ level: 'silent' }),
      control: { hangup: (r) => hangups.push(r), sendDtmf: (d) => leg.sendDtmf(d), fallback: (r) => fallbacks.push(r), transfer: () => Promise.resolve({ ok: false as const, reason: 'unavailable' as const }) },
      ...(opts.policy ? { policy: opts.policy } : {}),
    };
    const tools = [BUILTIN_TOOLS.end_call!, BUILTIN_TOOLS.send_dtmf!];
    const settings: S2sSessionSettings = {
      instructions: 'Be brief.',
      voice: 'marin',
      tools,
      turnDetection: { type: 'server_vad', threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 500 },
      noiseReduction: 'far_field',
      transcriptionModel: 'gpt-4o-mini-transcribe',
      audioFormat: audioFormatFor(leg.codec, true),
    };
    const provider = new OpenAIRealtimeProvider({ apiKey: opts.key ?? KEY, model: 'gpt-realtime', baseUrl: server.baseUrl, connectTimeoutMs: 3000, settings, ca: server.cert.cert });
    const session = new S2sSession(ctx, { provider, tools: new ToolRunner(tools), greeting: opts.greeting ?? 'Greet the caller.', responseTimeoutMs: opts.responseTimeoutMs ?? 1500 });
    // The pacer: pull 20 ms every 20 ms and count what the caller heard.
    let heard = 0;
    const frame = new Int16Array(leg.sampleRate / 50);
    const timer = setInterval(() => {
      if (leg.output.pullInto(frame)) heard += 20;
    }, 20);
    return { session, leg, fallbacks, hangups, heardMs: () => heard, stopPacer: () => clearInterval(timer) };
  }

  test('pre-warms at create: the session is configured before start()', async () => {
    const next = server.nextConnection(5000);
    const r = rig('G722');
    try {
      const conn = await next;
      await until(() => conn.session !== undefined, 3000, 'session.update');
      assert.equal(conn.received.some((e) => e.type === 'response.create'), false, 'nothing spoken before answer');
      const s = conn.session!;
      assert.deepEqual(s.audio?.input?.format, { type: 'audio/pcm', rate: 24000 });
      assert.equal(s.audio?.output?.voice, 'marin');
      assert.equal(s.audio?.input?.transcription?.model, 'gpt-4o-mini-transcribe');
      assert.equal(s.audio?.input?.turn_detection?.type, 'server_vad');
      assert.deepEqual(s.tools?.map((t) => ('name' in t ? t.name : '')), ['end_call', 'send_dtmf']);
      assert.deepEqual(conn.violations, []);
    } finally {
      r.stopPacer();
      await r.session.stop('test');
    }
  });

  test('hang-up during ringing closes the pre-warmed session', async () => {
    const next = server.nextConnection(5000);
    const r = rig('PCMU');
    const conn = await next;
    await until(() => conn.session !== undefined, 3000, 'session.update');
    await r.session.stop('caller-cancel');
    r.stopPacer();
    await until(() => conn.closed, 3000, 'socket closed');
    assert.deepEqual(r.fallbacks, []);
  });

  test('greeting plays; barge-in clears playout at once and truncates to what was heard', async () => {
    const next = server.nextConnection(5000);
    const r = rig('G722');
    try {
      const conn = await next;
      let resp: ReturnType<typeof conn.respondWithAudio> | undefined;
      conn.on('event', (e) => {
        if (e.type === 'response.create' && !resp) resp = conn.respondWithAudio(speech, { chunkMs: 100, paceMs: 40, transcript: 'Hello, thank you for calling.' });
      });
      await r.session.start();
      // Caller audio flows to the model, resampled 16 kHz → 24 kHz.
      r.leg.sink.write({ samples: new Int16Array(320), sampleRate: 16000, timestamp: 0 });
      await until(() => r.heardMs() >= 1200, 5000, '1.2 s of greeting heard');
      assert.ok(resp && resp.sentMs > r.heardMs(), 'the server runs ahead of real time');
      const stops0 = await stopHistogram();
      conn.speechStarted();
      await until(() => conn.truncates.length > 0, 3000, 'truncate');
      const heardAtCut = r.heardMs();
      await new Promise((res) => setTimeout(res, 300));
      assert.equal(r.heardMs(), heardAtCut, 'no agent audio after the barge-in');
      // The stop time runs to the first pacer pull without agent audio: within a tick (+ timer slack).
      const stops = await stopHistogram();
      assert.equal(stops.count - stops0.count, 1, 'one barge-in stop observed');
      assert.ok(stops.sum - stops0.sum > 0 && stops.sum - stops0.sum < 0.1, `stop time ${stops.sum - stops0.sum} s`);
      assert.ok(r.leg.output.idle, 'playout empty');
      const t = conn.truncates[0]!;
      assert.equal(t.itemId, resp!.itemId);
      assert.ok(Math.abs(t.audioEndMs - heardAtCut) <= 20, `truncated at ${t.audioEndMs} ms, caller heard ${heardAtCut} ms`);
      assert.ok(t.audioEndMs <= resp!.sentMs);
      assert.ok(conn.inputBytes >= 320 * 1.5 * 2, 'input audio appended at 24 kHz');
      assert.deepEqual(conn.violations.filter((v) => !RACES.test(v)), []);
      assert.deepEqual(r.fallbacks, []);
    } finally {
      r.stopPacer();
      await r.session.stop('test');
    }
  });

  test('never-say guard: a forbidden phrase in the transcript stops that response like a barge-in', async () => {
    const audit: Array<{ type: string; data: Readonly<Record<string, unknown>> }> = [];
    const policy = new CallPolicy({
      persona: { name: 'p', instructions: 'x', language: 'en-US', vocabulary: [], tools: [], neverSay: ['guaranteed refund'], variables: {}, limits: { maxToolCalls: 1 } },
      tools: new PolicyToolRunner({ callId: 'c1', validator: new ToolValidator([]), tools: new Map(), maxToolCalls: 1 }),
      audit: (type, data) => audit.push({ type, data }),
    });
    const hits0 = (await metrics.guardrailHits.get()).values.find((v) => v.labels.kind === 'never-say')?.value ?? 0;
    const bargeIns0 = (await metrics.s2sBargeIns.get()).values[0]?.value ?? 0;
    const next = server.nextConnection(5000);
    const r = rig('PCMU', { policy });
    try {
      const conn = await next;
      let resp: ReturnType<typeof conn.respondWithAudio> | undefined;
      // 4 s of audio, 40 words: the forbidden phrase arrives in the transcript around the 2.5 s mark.
      const words = 'Hello and welcome, thank you for calling us today, I am here to help you with your account and your orders. ';
      conn.on('event', (e) => {
        if (e.type === 'response.create' && !resp) resp = conn.respondWithAudio(speech, { chunkMs: 100, paceMs: 60, transcript: `${words}You will get a guaranteed refund for every order, no questions asked at all.` });
      });
      await r.session.start();
      await until(() => conn.received.some((e) => e.type === 'response.cancel'), 8000, 'response.cancel');
      const heardAtCut = r.heardMs();
      assert.ok(r.leg.output.idle, 'playout cleared at once');
      assert.equal(await resp!.done, 'cancelled');
      await until(() => conn.truncates.length > 0, 3000, 'truncate');
      const t = conn.truncates[0]!;
      assert.equal(t.itemId, resp!.itemId);
      assert.ok(heardAtCut > 0 && Math.abs(t.audioEndMs - heardAtCut) <= 20, `truncated at ${t.audioEndMs} ms, caller heard ${heardAtCut} ms`);
      assert.ok(t.audioEndMs < resp!.sentMs, 'the model keeps only what the caller heard');
      await new Promise((res) => setTimeout(res, 300));
      assert.equal(r.heardMs(), heardAtCut, 'no agent audio after the guardrail hit');
      const hits = (await metrics.guardrailHits.get()).values.find((v) => v.labels.kind === 'never-say')?.value ?? 0;
      assert.equal(hits - hits0, 1, 'one never-say hit counted');
      assert.equal((await metrics.s2sBargeIns.get()).values[0]?.value ?? 0, bargeIns0, 'not counted as a barge-in');
      assert.deepEqual(audit.filter((a) => a.type === 'guardrail').map((a) => a.data.kind), ['never-say']);
      assert.equal(conn.received.filter((e) => e.type === 'response.cancel').length, 1);
      assert.deepEqual(conn.violations.filter((v) => !RACES.test(v)), []);
      assert.deepEqual(r.fallbacks, []);
    } finally {
      r.stopPacer();
      await r.session.stop('test');
    }
  });

  test('never-say guard: allowed speech plays to the end', async () => {
    const policy = new CallPolicy({
      persona: { name: 'p', instructions: 'x', language: 'en-US', vocabulary: [], tools: [], neverSay: ['guaranteed refund'], variables: {}, limits: { maxToolCalls: 1 } },
      tools: new PolicyToolRunner({ callId: 'c1', validator: new ToolValidator([]), tools: new Map(), maxToolCalls: 1 }),
    });
    const next = server.nextConnection(5000);
    const r = rig('PCMU', { policy });
    try {
      const conn = await next;
      let resp: ReturnType<typeof conn.respondWithAudio> | undefined;
      conn.on('event', (e) => {
        if (e.type === 'response.create' && !resp) resp = conn.respondWithAudio(speech.subarray(0, 24000), { transcript: 'Refunds are handled by our team, who will call you back.' });
      });
      await r.session.start();
      await until(() => resp !== undefined, 3000, 'response');
      assert.equal(await resp!.done, 'completed');
      await until(() => r.leg.output.idle && r.heardMs() >= 900, 3000, 'audio played');
      assert.equal(conn.received.some((e) => e.type === 'response.cancel'), false);
      assert.equal(conn.truncates.length, 0);
    } finally {
      r.stopPacer();
      await r.session.stop('test');
    }
  });

  test('G.711 calls exchange G.711 with the model (no resampling)', async () => {
    const next = server.nextConnection(5000);
    const r = rig('PCMU');
    try {
      const conn = await next;
      conn.on('event', (e) => e.type === 'response.create' && conn.respondWithAudio(speech.subarray(0, 24000)));
      await r.session.start();
      assert.deepEqual(conn.session?.audio?.input?.format, { type: 'audio/pcmu' });
      r.leg.sink.write({ samples: new Int16Array(160), sampleRate: 8000, timestamp: 0 });
      await until(() => r.heardMs() >= 900, 5000, 'audio heard');
      assert.equal(conn.inputBytes, 160);
      assert.deepEqual(conn.violations, []);
    } finally {
      r.stopPacer();
      await r.session.stop('test');
    }
  });

  test('tool calls: invalid arguments are refused and never run; valid ones run, then the model goes on', async () => {
    const next = server.nextConnection(5000);
    const r = rig('PCMU', { greeting: '' });
    try {
      const conn = await next;
      await r.session.start();
      const bad = conn.functionCall('send_dtmf', '{"digits":"12; rm -rf /"}');
      await until(() => conn.received.some((e) => e.type === 'conversation.item.create'), 3000, 'function output');
      const out1 = conn.received.find((e) => e.type === 'conversation.item.create');
      assert.ok(out1 && out1.type === 'conversation.item.create' && out1.item.type === 'function_call_output');
      assert.equal(out1.item.call_id, bad.callId);
      assert.match(out1.item.output, /invalid_arguments/);
      assert.deepEqual(r.leg.sentDigits, [], 'the invalid call was not executed');
      await until(() => conn.received.some((e) => e.type === 'response.create'), 3000, 'response.create after the tool output');
      assert.deepEqual(r.session.executedTools, []);

      conn.on('event', (e) => e.type === 'response.create' && !conn.activeResponseId && conn.respondWithAudio(speech.subarray(0, 12000)));
      await until(() => !conn.activeResponseId, 3000, 'idle');
      conn.functionCall('send_dtmf', '{"digits":"12#"}');
      await until(() => r.leg.sentDigits.length === 3, 3000, 'digits sent');
      assert.deepEqual(r.leg.sentDigits, ['1', '2', '#']);
      assert.deepEqual(r.session.executedTools, ['send_dtmf']);
      await until(() => conn.received.filter((e) => e.type === 'response.create').length >= 2, 3000, 'second response.create');
      assert.deepEqual(conn.violations, []);
    } finally {
      r.stopPacer();
      await r.session.stop('test');
    }
  });

  for (const kind of ['error event', 'dropped socket', 'silent provider'] as const) {
    test(`${kind} → fallback within 2 s`, async () => {
      const next = server.nextConnection(5000);
      const r = rig('PCMU', { responseTimeoutMs: 1200 });
      try {
        const conn = await next;
        await r.session.start();
        const t0 = Date.now();
        if (kind === 'error event') conn.error('server_error', 'The server had an error', 'server_error');
        if (kind === 'dropped socket') conn.drop();
        await until(() => r.fallbacks.length > 0, 3000, 'fallback');
        assert.ok(Date.now() - t0 < 2000, `fallback after ${Date.now() - t0} ms`);
        assert.equal(r.fallbacks.length, 1);
      } finally {
        r.stopPacer();
        await r.session.stop('fallback');
      }
    });
  }

  test('a refused key: start() falls back at once', async () => {
    const r = rig('PCMU', { key: 'sk-wrong' });
    try {
      await new Promise((res) => setTimeout(res, 300));
      await r.session.start();
      await until(() => r.fallbacks.length > 0, 3000, 'fallback');
      assert.ok(server.refused.includes('bad key'));
    } finally {
      r.stopPacer();
      await r.session.stop('fallback');
    }
  });
});
