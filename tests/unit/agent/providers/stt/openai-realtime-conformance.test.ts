/**
 * The Realtime transcription provider against the real OpenAI API: runs only when OPENAI_API_KEY is
 * set (honouring OPENAI_BASE_URL like the `openai` package), skipped otherwise. Checks what the fake
 * stands in for: `?intent=transcription`, our `session.update` (µ-law and 24 kHz PCM), commits at a
 * pause and at the end, deltas and completed items, the vocabulary prompt.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { openAiClient } from '../../../../../agent/providers/openai-client.ts';
import { OpenAiRealtimeStt } from '../../../../../agent/providers/stt/openai-realtime.ts';
import { resampleOffline } from '../../../../../agent/providers/tts/resample-offline.ts';
import { parseWav } from '../../../../../agent/providers/tts/wav.ts';

const key = process.env.OPENAI_API_KEY;

test('real Realtime API transcribes a streamed utterance in a transcription session', { skip: key ? false : 'OPENAI_API_KEY is not set', timeout: 90_000 }, async () => {
  const wav = parseWav(execFileSync('espeak-ng', ['--stdout', 'My Sev-1 ticket for the Postgres cluster is dropping payloads.']));
  for (const rate of [8000, 16000]) {
    const pcm = resampleOffline(wav.pcm, wav.sampleRate, rate);
    const stt = new OpenAiRealtimeStt({
      client: openAiClient({ apiKeyEnv: 'OPENAI_API_KEY', timeoutMs: 30_000, maxRetries: 0 }, 'agent.cascade.stt'),
      model: 'gpt-4o-mini-transcribe',
      language: 'en',
      vocabulary: ['Sev-1', 'Postgres'],
      noiseReduction: 'near_field',
      format: 'auto',
      connectTimeoutMs: 15_000,
      finalTimeoutMs: 30_000,
      maxUtteranceMs: 60_000,
      maxQueuedMs: 10_000,
    });
    const call = stt.openCall({ sampleRate: rate });
    const partials: string[] = [];
    const errors: Error[] = [];
    try {
      const u = call.open({ sampleRate: rate, onInterim: () => undefined, onPartial: (t) => partials.push(t), onError: (e) => errors.push(e) });
      const half = Math.floor(pcm.length / 2);
      const step = rate / 50;
      for (let i = 0; i < half; i += step) u.push(pcm.subarray(i, Math.min(i + step, half)));
      u.requestInterim();
      for (let i = half; i < pcm.length; i += step) u.push(pcm.subarray(i, i + step));
      const text = await u.finish();
      assert.match(text, /postgres/i, `${rate} Hz`);
      assert.ok(partials.length > 0, `${rate} Hz: no deltas`);
      assert.deepEqual(errors, [], `${rate} Hz: the API refused events`);
    } finally {
      call.close();
    }
  }
});
