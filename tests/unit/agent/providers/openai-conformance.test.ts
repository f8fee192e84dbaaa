/**
 * The same provider code against the real OpenAI API: runs only when OPENAI_API_KEY is set (and then
 * honours OPENAI_BASE_URL), skipped otherwise. It checks what the local fakes stand in for: streamed
 * transcription with a vocabulary prompt, streamed chat with a strict tool, streamed PCM speech.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { OpenAiLlm } from '../../../../agent/providers/llm/openai.ts';
import { openAiClient } from '../../../../agent/providers/openai-client.ts';
import { OpenAiStt } from '../../../../agent/providers/stt/openai.ts';
import { OpenAiTts } from '../../../../agent/providers/tts/openai.ts';
import { resampleOffline } from '../../../../agent/providers/tts/resample-offline.ts';
import { parseWav } from '../../../../agent/providers/tts/wav.ts';
import type { LlmEvent } from '../../../../agent/providers/llm/types.ts';

const key = process.env.OPENAI_API_KEY;
const skip = key ? false : 'OPENAI_API_KEY is not set';
const endpoint = { apiKeyEnv: 'OPENAI_API_KEY', timeoutMs: 30_000, maxRetries: 1 };

describe('OpenAI conformance (real API)', { skip }, () => {
  it('transcribes 8 kHz telephone speech, biased by the vocabulary', { timeout: 60_000 }, async () => {
    const wav = parseWav(execFileSync('espeak-ng', ['--stdout', 'My Sev-1 ticket for the Postgres cluster is dropping payloads.']));
    const pcm = resampleOffline(wav.pcm, wav.sampleRate, 8000);
    const stt = new OpenAiStt({ client: openAiClient(endpoint, 'agent.cascade.stt'), model: 'gpt-4o-mini-transcribe', language: 'en', vocabulary: ['Sev-1', 'Postgres'] });
    const u = stt.open({ sampleRate: 8000, onInterim: () => undefined });
    for (let i = 0; i < pcm.length; i += 160) u.push(pcm.subarray(i, i + 160));
    const text = await u.finish();
    assert.match(text, /postgres/i);
  });

  it('streams a strict tool call whose arguments pass validation', { timeout: 60_000 }, async () => {
    const llm = new OpenAiLlm({ client: openAiClient(endpoint, 'agent.cascade.llm'), model: 'gpt-4o-mini' });
    const tools = [{ name: 'end_call', description: 'End the call.', parameters: { type: 'object', properties: { reason: { type: 'string', enum: ['caller-done'] } }, required: ['reason'], additionalProperties: false } }];
    const evs: LlmEvent[] = [];
    const messages = [{ role: 'system' as const, content: 'When the caller says goodbye, call end_call.' }, { role: 'user' as const, content: 'Thanks, that is all. Goodbye!' }];
    for await (const ev of llm.stream({ messages, tools, signal: AbortSignal.timeout(50_000) })) evs.push(ev);
    const call = evs.find((e) => e.type === 'tool-call');
    assert.ok(call && call.type === 'tool-call' && call.validation.ok, JSON.stringify(evs));
  });

  it('streams PCM speech at 24 kHz', { timeout: 60_000 }, async () => {
    const tts = new OpenAiTts({ client: openAiClient(endpoint, 'agent.cascade.tts'), model: 'gpt-4o-mini-tts', voice: 'alloy' });
    let samples = 0;
    for await (const c of tts.stream('Hello, this is Trunkline.', { signal: AbortSignal.timeout(50_000) })) samples += c.pcm.length;
    assert.ok(samples > 24_000 * 0.5, `${samples} samples`);
  });
});
