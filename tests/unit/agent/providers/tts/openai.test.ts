import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openAiClient } from '../../../../../agent/providers/openai-client.ts';
import { OpenAiTts, OPENAI_TTS_RATE } from '../../../../../agent/providers/tts/openai.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../../../../fakes/openai-rest/server.ts';
import type { WireSpeechRequest } from '../../../../fakes/openai-rest/wire.ts';

describe('OpenAI TTS provider (against the local fake)', () => {
  let fake: FakeOpenAi;
  let tts: OpenAiTts;
  const ramp = Int16Array.from({ length: 24_000 }, (_, i) => (i * 7) % 30000 - 15000);
  before(async () => {
    fake = await startFakeOpenAi();
    fake.script = { speech: () => ({ pcm: ramp, chunkMs: 37, chunkDelayMs: 5 }) };
    tts = new OpenAiTts({ client: openAiClient({ baseUrl: fake.baseUrl, apiKeyEnv: 'KEY', timeoutMs: 5000, maxRetries: 0 }, 'agent.cascade.tts', { KEY: fake.apiKey }), model: 'gpt-4o-mini-tts', voice: 'alloy' });
  });
  after(() => fake.close());

  it('streams PCM as it arrives, carrying samples split across odd-sized chunks', async () => {
    const chunks: Int16Array[] = [];
    for await (const c of tts.stream('Hello there.', { signal: new AbortController().signal })) {
      assert.equal(c.sampleRate, OPENAI_TTS_RATE);
      chunks.push(c.pcm);
    }
    assert.ok(chunks.length > 5, `only ${chunks.length} chunks: not streamed`);
    const all = Int16Array.from(chunks.flatMap((c) => [...c]));
    assert.deepEqual(all, ramp);
    const req = fake.requests.at(-1)!.body as WireSpeechRequest;
    assert.equal(req.response_format, 'pcm');
    assert.equal(req.input, 'Hello there.');
  });

  it('synthesize() returns the whole clip resampled to the rate asked', async () => {
    const r = await tts.synthesize('Hi.', { sampleRate: 8000 });
    assert.equal(r.sampleRate, 8000);
    assert.equal(r.pcm.length, 8000);
  });
});
