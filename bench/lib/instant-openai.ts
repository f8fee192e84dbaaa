import { startFakeOpenAi, type FakeOpenAi } from '../../tests/fakes/openai-rest/server.ts';
import { tone24k } from './s2s-rig.ts';

/**
 * The "instant local provider" for the cascade agent in load benchmarks (issue 9): the strict OpenAI
 * REST fake of the tests, in this process, answering every STT, LLM and TTS request at once with a
 * short reply. The gateway then spends its CPU on what it owns — Silero VAD on every inbound frame of
 * every call, turn-taking, the HTTP clients and the TTS stream into the pacer — not on waiting.
 */

/** Agent reply: 300 ms of a quiet tone (24 kHz, as the OpenAI speech endpoint streams PCM). */
const REPLY_MS = 300;

export interface InstantProvider {
  /** Config overrides that route every call to the cascade agent on this provider, with no fallback. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly env: Readonly<Record<string, string>>;
  /** Requests answered so far, per endpoint, and protocol violations the fake recorded. */
  counts(): { readonly transcribe: number; readonly chat: number; readonly speech: number; readonly violations: number };
  close(): Promise<void>;
}

export async function startInstantCascadeProvider(): Promise<InstantProvider> {
  const tone = tone24k(REPLY_MS, 440, 3000);
  const fake: FakeOpenAi = await startFakeOpenAi({
    transcribe: () => ({ text: 'Hello.', delayMs: 0 }),
    chat: () => ({ text: ['Okay.'], firstDelayMs: 0, chunkDelayMs: 0 }),
    speech: () => ({ pcm: tone, firstDelayMs: 0, chunkMs: 100, chunkDelayMs: 0 }),
  });
  const provider = { baseUrl: fake.baseUrl, maxRetries: 0 };
  const count = (suffix: string): number => fake.requests.filter((r) => r.path.endsWith(suffix)).length;
  return {
    config: {
      agent: { default: 'cascade', cascade: { stt: { ...provider, transport: 'rest' }, llm: provider, tts: { ...provider, engine: 'openai' } } },
      // No fallback: a call the cascade cannot serve must not be measured as a menu call.
      routing: { default: { agent: 'cascade', fallback: [] } },
    },
    env: { OPENAI_API_KEY: fake.apiKey },
    counts: () => ({ transcribe: count('/audio/transcriptions'), chat: count('/chat/completions'), speech: count('/audio/speech'), violations: fake.violations.length }),
    close: () => fake.close(),
  };
}
