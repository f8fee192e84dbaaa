import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openAiClient } from '../../../../../agent/providers/openai-client.ts';
import { OpenAiStt } from '../../../../../agent/providers/stt/openai.ts';
import { startFakeOpenAi, type FakeOpenAi, type TranscribeRequest } from '../../../../fakes/openai-rest/server.ts';

describe('OpenAI STT provider (against the local fake)', () => {
  let fake: FakeOpenAi;
  let stt: OpenAiStt;
  const seen: TranscribeRequest[] = [];
  before(async () => {
    fake = await startFakeOpenAi();
    fake.script = {
      transcribe: (r) => {
        seen.push(r);
        return { text: `heard ${r.pcm.length} samples`, delayMs: 20 };
      },
    };
    const client = openAiClient({ baseUrl: fake.baseUrl, apiKeyEnv: 'KEY', timeoutMs: 5000, maxRetries: 0 }, 'agent.cascade.stt', { KEY: fake.apiKey });
    stt = new OpenAiStt({ client, model: 'gpt-4o-mini-transcribe', language: 'en', vocabulary: ['Sev-1', 'Postgres'], interimEveryMs: 500 });
  });
  after(() => fake.close());

  it('sends audio while the caller speaks (interims), with the vocabulary as prompt, and reuses the pause transcript as final', async () => {
    seen.length = 0;
    const interims: string[] = [];
    const u = stt.open({ sampleRate: 8000, onInterim: (t) => interims.push(t) });
    for (let i = 0; i < 60; i++) u.push(new Int16Array(160).fill(i)); // 1.2 s
    u.requestInterim();
    await new Promise((r) => setTimeout(r, 300));
    const before = seen.length;
    const final = await u.finish();
    assert.equal(final, 'heard 9600 samples');
    assert.equal(seen.length, before, 'the final should reuse the pause transcript');
    assert.ok(before >= 3, `expected interim requests while speaking, got ${before}`);
    assert.ok(interims.includes('heard 9600 samples'));
    assert.equal(seen[0]!.prompt, 'Vocabulary: Sev-1, Postgres.');
    assert.equal(seen[0]!.language, 'en');
    assert.equal(seen[0]!.stream, true);
    assert.equal(seen[0]!.sampleRate, 8000);
  });

  it('transcribes what came after the last interim when finishing', async () => {
    seen.length = 0;
    const u = stt.open({ sampleRate: 8000, onInterim: () => undefined });
    u.push(new Int16Array(1600));
    u.requestInterim();
    u.push(new Int16Array(800));
    assert.equal(await u.finish(), 'heard 2400 samples');
  });

  it('an empty utterance costs no request', async () => {
    seen.length = 0;
    assert.equal(await stt.open({ sampleRate: 8000, onInterim: () => undefined }).finish(), '');
    assert.equal(seen.length, 0);
  });
});
