/**
 * Conformance against the real OpenAI Realtime API: the same provider code the gateway runs, with
 * the session settings it sends. Runs only when OPENAI_API_KEY is set (CI has no key); honours
 * OPENAI_BASE_URL like the `openai` package.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OpenAIRealtimeProvider } from '../../agent/providers/s2s/openai-realtime.ts';
import { BUILTIN_TOOLS } from '../../agent/s2s/tools.ts';

const key = process.env.OPENAI_API_KEY;

test('real Realtime API accepts our session, audio and response events', { skip: key ? false : 'OPENAI_API_KEY not set', timeout: 60_000 }, async () => {
  for (const audioFormat of ['pcm16', 'pcmu'] as const) {
    const p = new OpenAIRealtimeProvider({
      apiKey: key!,
      model: process.env.TRUNKLINE_S2S_MODEL ?? 'gpt-realtime',
      connectTimeoutMs: 15_000,
      settings: {
        instructions: 'You are a test. Answer in three words.',
        voice: 'marin',
        tools: [BUILTIN_TOOLS.end_call!],
        turnDetection: { type: 'server_vad', threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 500 },
        noiseReduction: 'far_field',
        transcriptionModel: 'gpt-4o-mini-transcribe',
        audioFormat,
      },
    });
    const errors: string[] = [];
    p.on('error', (e) => errors.push(e.code));
    await p.connect();
    let audio = 0;
    let itemId = '';
    const done = new Promise<void>((resolve) => p.on('response-done', () => resolve()));
    p.on('audio', (e) => {
      audio += e.pcm.length;
      itemId = e.itemId;
    });
    p.pushAudio(new Int16Array(p.sampleRate / 5));
    p.requestResponse('Say: hello there, caller.');
    await done;
    assert.ok(audio > p.sampleRate / 10, `${audioFormat}: only ${audio} samples of audio`);
    // A truncate within the audio received is accepted.
    p.truncate(itemId, 50);
    await new Promise((r) => setTimeout(r, 1000));
    p.close();
    assert.deepEqual(errors, [], `${audioFormat}: the API refused events`);
  }
});
