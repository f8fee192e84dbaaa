/**
 * The Realtime transcription STT provider against the strict local fake (tests/fakes/openai-realtime,
 * TLS on 127.0.0.1, certificate trusted through the provider's `ca`): one session per call, interim
 * deltas, multi-commit utterances, silence not committed, abort, socket drop and reconnect.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { ProviderError } from '../../../../../gateway/errors.ts';
import { OpenAiRealtimeStt } from '../../../../../agent/providers/stt/openai-realtime.ts';
import type { RealtimeSttSettings } from '../../../../../agent/providers/stt/realtime-call.ts';
import type { SttCallSession, SttOpenOptions } from '../../../../../agent/providers/stt/types.ts';
import { FakeRealtimeServer, until } from '../../../../fakes/openai-realtime/server.ts';
import type { FakeTranscriptionConnection } from '../../../../fakes/openai-realtime/transcription.ts';

const KEY = 'sk-test-stt';

/** `ms` of a loud 300 Hz tone ("speech" as far as the provider's silence gate is concerned). */
function tone(ms: number, rate = 8000): Int16Array {
  const n = (ms * rate) / 1000;
  const x = new Int16Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.round(8000 * Math.sin((2 * Math.PI * 300 * i) / rate));
  return x;
}

function push(u: { push(p: Int16Array): void }, pcm: Int16Array, rate = 8000): void {
  const step = rate / 50;
  for (let i = 0; i < pcm.length; i += step) u.push(pcm.subarray(i, i + step));
}

describe('OpenAiRealtimeStt', () => {
  let server: FakeRealtimeServer;
  let settings: RealtimeSttSettings;
  const calls: SttCallSession[] = [];

  before(async () => {
    server = await FakeRealtimeServer.start({ apiKey: KEY });
    settings = {
      client: { apiKey: KEY, baseURL: server.baseUrl },
      model: 'gpt-4o-mini-transcribe',
      language: 'en',
      vocabulary: ['Sev-1'],
      noiseReduction: 'near_field',
      format: 'auto',
      connectTimeoutMs: 5000,
      finalTimeoutMs: 3000,
      maxUtteranceMs: 60_000,
      maxQueuedMs: 10_000,
      ca: server.cert.cert,
    };
  });

  beforeEach(() => {
    // Each item: its index on the connection names it; 0.3 s or less carries no words.
    server.transcriptionScript = (item) => ({ text: item.pcm.length / item.sampleRate < 0.3 ? '' : `part ${item.index} of the call`, delayMs: 30, deltaMs: 10 });
  });

  after(async () => {
    for (const c of calls) c.close();
    await server.close();
    const violations = server.transcriptions.flatMap((c) => c.violations);
    assert.deepEqual(violations, [], 'the provider sent events the Realtime API would refuse');
  });

  function call(sampleRate = 8000, vocabulary: string[] = ['Postgres']): SttCallSession {
    const c = new OpenAiRealtimeStt(settings).openCall({ sampleRate, vocabulary });
    calls.push(c);
    return c;
  }

  async function connection(n: number): Promise<FakeTranscriptionConnection> {
    await until(() => server.transcriptions.length >= n && server.transcriptions[n - 1]!.session !== undefined, 5000, `transcription connection ${n}`);
    return server.transcriptions[n - 1]!;
  }

  function opts(o: Partial<SttOpenOptions> & { interims?: string[]; partials?: string[]; errors?: Error[] } = {}): SttOpenOptions {
    return {
      sampleRate: o.sampleRate ?? 8000,
      vocabulary: o.vocabulary ?? ['Postgres'],
      onInterim: (t) => o.interims?.push(t),
      onPartial: (t) => o.partials?.push(t),
      onError: (e) => o.errors?.push(e),
    };
  }

  test('the call’s session is dialled before any utterance, as a G.711 transcription session with the vocabulary as prompt', async () => {
    const before = server.transcriptions.length;
    call();
    const conn = await connection(before + 1);
    const input = conn.session?.audio?.input;
    assert.equal(conn.session?.type, 'transcription');
    assert.deepEqual(input?.format, { type: 'audio/pcmu' });
    assert.equal(input?.turn_detection, null);
    assert.deepEqual(input?.noise_reduction, { type: 'near_field' });
    assert.equal(input?.transcription?.model, 'gpt-4o-mini-transcribe');
    assert.equal(input?.transcription?.language, 'en');
    assert.equal(input?.transcription?.prompt, 'Vocabulary: Sev-1, Postgres.');
  });

  test('a pause commits what was said: deltas come back as partials, the item as a stable interim; the final joins the items in order', async () => {
    const n = server.transcriptions.length;
    const c = call();
    const conn = await connection(n + 1);
    const interims: string[] = [];
    const partials: string[] = [];
    const u = c.open(opts({ interims, partials }));
    push(u, tone(800));
    u.requestInterim();
    await until(() => interims.length === 1, 3000, 'first interim');
    assert.equal(interims[0], 'part 0 of the call');
    assert.deepEqual(partials.slice(0, 2), ['part', 'part 0']);
    push(u, tone(600));
    const final = await u.finish();
    assert.equal(final, 'part 0 of the call part 1 of the call');
    assert.equal(conn.items.length, 2);
    assert.ok(Math.abs(conn.items[0]!.pcm.length / 8000 - 0.8) < 0.03, `item 0 holds ${conn.items[0]!.pcm.length / 8000} s`);
    assert.equal(server.transcriptions.length, n + 1, 'one socket for the call');
  });

  test('the silence after the last pause is cleared, not committed, and the final is ready at once', async () => {
    const n = server.transcriptions.length;
    const c = call();
    const conn = await connection(n + 1);
    const interims: string[] = [];
    const u = c.open(opts({ interims }));
    push(u, tone(700));
    u.requestInterim();
    await until(() => interims.length === 1, 3000, 'interim');
    push(u, new Int16Array(4000)); // 500 ms of endpointing silence
    const t0 = performance.now();
    assert.equal(await u.finish(), 'part 0 of the call');
    assert.ok(performance.now() - t0 < 50, 'the final waited for a round trip');
    await until(() => conn.clears === 1, 2000, 'input_audio_buffer.clear');
    assert.equal(conn.items.length, 1);
  });

  test('items completed out of order still make the final in commit order', async () => {
    const n = server.transcriptions.length;
    const c = call();
    await connection(n + 1);
    server.transcriptionScript = (item) => ({ text: item.index === 0 ? 'first words' : 'second words', delayMs: item.index === 0 ? 300 : 0 });
    const u = c.open(opts());
    push(u, tone(400));
    u.requestInterim();
    push(u, tone(400));
    assert.equal(await u.finish(), 'first words second words');
  });

  test('every utterance of the call goes over the same socket; an aborted one leaves nothing behind', async () => {
    const n = server.transcriptions.length;
    const c = call();
    const conn = await connection(n + 1);
    server.transcriptionScript = (item) => ({ text: `utterance item ${item.index}`, delayMs: 100 });
    const a = c.open(opts());
    push(a, tone(500));
    a.requestInterim(); // item 0, will complete after the abort
    push(a, tone(300));
    a.abort();
    await assert.rejects(a.finish(), ProviderError);
    const b = c.open(opts());
    push(b, tone(500));
    assert.equal(await b.finish(), 'utterance item 1');
    assert.equal(conn.clears, 1, 'the aborted utterance’s uncommitted audio was not cleared');
    assert.equal(conn.items.length, 2);
    assert.ok(Math.abs(conn.items[1]!.pcm.length / 8000 - 0.5) < 0.03, 'audio of the aborted utterance leaked into the next');
    assert.equal(server.transcriptions.length, n + 1);
  });

  test('a dropped socket fails the utterance as retryable; the next utterance dials again', async () => {
    const n = server.transcriptions.length;
    const c = call();
    const conn = await connection(n + 1);
    const errors: Error[] = [];
    const u = c.open(opts({ errors }));
    push(u, tone(500));
    conn.drop();
    await until(() => errors.length === 1, 3000, 'onError after the drop');
    await assert.rejects(u.finish(), (e: unknown) => e instanceof ProviderError && e.retryable);
    const v = c.open(opts());
    push(v, tone(500));
    assert.equal(await v.finish(), 'part 0 of the call');
    assert.equal(server.transcriptions.length, n + 2);
  });

  test('an utterance too short to commit (< 100 ms) is an empty final, with nothing refused', async () => {
    const c = call();
    const u = c.open(opts());
    push(u, tone(60));
    assert.equal(await u.finish(), '');
  });

  test('a failed transcription rejects the final as retryable', async () => {
    const c = call();
    server.transcriptionScript = () => ({ text: '', failCode: 'audio_unintelligible' });
    const u = c.open(opts());
    push(u, tone(500));
    await assert.rejects(u.finish(), (e: unknown) => e instanceof ProviderError && e.retryable);
  });

  test('wideband audio goes as 24 kHz PCM16', async () => {
    const n = server.transcriptions.length;
    const c = call(16000);
    const conn = await connection(n + 1);
    assert.deepEqual(conn.session?.audio?.input?.format, { type: 'audio/pcm', rate: 24000 });
    const u = c.open(opts({ sampleRate: 16000 }));
    push(u, tone(1000, 16000), 16000);
    assert.equal(await u.finish(), 'part 0 of the call');
    assert.equal(conn.items[0]!.sampleRate, 24000);
    assert.ok(Math.abs(conn.items[0]!.pcm.length / 24000 - 1) < 0.03, `${conn.items[0]!.pcm.length / 24000} s`);
  });

  test('open() without a call session dials for the one utterance and hangs up after its final', async () => {
    const n = server.transcriptions.length;
    const u = new OpenAiRealtimeStt(settings).open(opts());
    push(u, tone(500));
    assert.equal(await u.finish(), 'part 0 of the call');
    await until(() => server.transcriptions[n]?.closed === true, 3000, 'the one-off session closed');
  });

  test('a wrong key fails at once and not as retryable', async () => {
    const stt = new OpenAiRealtimeStt({ ...settings, client: { apiKey: 'sk-wrong', baseURL: server.baseUrl } });
    const u = stt.open(opts());
    push(u, tone(300));
    await assert.rejects(u.finish(), (e: unknown) => e instanceof ProviderError && !e.retryable);
  });
});
