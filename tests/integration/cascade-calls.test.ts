/**
 * The cascade agent on real calls: the gateway runs with `agent.default: cascade` and its STT, LLM and
 * TTS pointed at a local server speaking the OpenAI REST protocols (tests/fakes/openai-rest). Callers
 * speak with espeak-ng voices: baresip plays a WAV as its microphone; a scripted RTP caller
 * (harness/rtp-caller.ts) interrupts, or echoes the agent back at −12 dB after 150 ms.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { resampleOffline } from '../../agent/providers/tts/resample-offline.ts';
import { parseWav } from '../../agent/providers/tts/wav.ts';
import { encodeWav } from '../../agent/providers/stt/wav-encode.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../fakes/openai-rest/server.ts';
import type { WireChatRequest } from '../fakes/openai-rest/wire.ts';
import { Baresip } from './harness/baresip.ts';
import { eventually, sleep } from './harness/eventually.ts';
import { startGateway, type Gateway } from './harness/gateway.ts';
import { RtpCaller } from './harness/rtp-caller.ts';
import { readWav, speechEnergy } from './harness/wav.ts';

const QUESTION = 'My Sev-1 ticket for the Postgres cluster is dropping payloads.';
const INTERRUPTION = 'No, stop. I meant the other cluster, the staging one.';
const REPLY = [
  'Thanks for telling me. ',
  'I have opened an incident for the Postgres cluster, and the database team has been paged. ',
  'An engineer will call you back within fifteen minutes with an update on the dropped payloads. ',
  'Is there anything else I can help you with today?',
];

/** espeak-ng speech as mono PCM16 at `rate`. */
function speak(text: string, rate: number): Int16Array {
  const wav = parseWav(execFileSync('espeak-ng', ['--stdout', text], { maxBuffer: 64 << 20 }));
  return resampleOffline(wav.pcm, wav.sampleRate, rate);
}

function concat(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) out.set(p, (off += p.length) - p.length);
  return out;
}

const lastUser = (r: WireChatRequest): string => String([...r.messages].reverse().find((m) => m.role === 'user')?.content ?? '');

describe('cascade calls', () => {
  let fake: FakeOpenAi;
  let gw: Gateway;
  let transcript = QUESTION;
  const ttsCache = new Map<string, Int16Array>();

  before(async () => {
    fake = await startFakeOpenAi();
    fake.script = {
      // Utterances under 0.3 s carry no words; anything longer is what the test says the caller said.
      transcribe: (req) => ({ text: req.pcm.length / req.sampleRate < 0.3 ? '' : transcript, delayMs: 120 }),
      // The answer to an interruption comes late, so the silence after a barge-in is the agent's own.
      chat: (req) => (lastUser(req) === INTERRUPTION ? { text: ['Okay.'], firstDelayMs: 3000 } : { text: REPLY, firstDelayMs: 150, chunkDelayMs: 30 }),
      speech: (req) => {
        let pcm = ttsCache.get(req.input);
        if (!pcm) ttsCache.set(req.input, (pcm = speak(req.input, 24_000)));
        return { pcm, firstDelayMs: 80, chunkMs: 100 };
      },
    };
    gw = await startGateway({
      config: {
        calls: { drainTimeoutSec: 2 },
        agent: {
          default: 'cascade',
          cascade: {
            vocabulary: ['Sev-1', 'Postgres'],
            stt: { baseUrl: fake.baseUrl, maxRetries: 0, transport: 'rest' },
            llm: { baseUrl: fake.baseUrl, maxRetries: 0 },
            tts: { baseUrl: fake.baseUrl, maxRetries: 0, engine: 'openai' },
          },
        },
      },
      env: { OPENAI_API_KEY: fake.apiKey },
    });
  });

  after(async () => {
    const running = gw?.isRunning();
    const exit = await gw?.stop();
    await fake?.close();
    assert.ok(running, `gateway died during the tests: ${JSON.stringify(exit)}\n${gw?.describe()}`);
    assert.deepEqual(fake.violations, [], 'the gateway sent requests the OpenAI API would refuse');
  });

  const chats = (): WireChatRequest[] => fake.requests.filter((r) => r.path === '/v1/chat/completions').map((r) => r.body as WireChatRequest);

  test('baresip: the transcript reaches the LLM and the caller hears the reply', { timeout: 60_000 }, async (t) => {
    transcript = QUESTION;
    const chats0 = chats().length;
    const dir = mkdtempSync(path.join(tmpdir(), 'cascade-'));
    const mic = path.join(dir, 'question.wav');
    writeFileSync(mic, encodeWav([new Int16Array(8000), speak(QUESTION, 8000), new Int16Array(8000 * 40)], 8000));
    const b = await Baresip.start({ codecs: ['PCMU'], timeoutMs: 45_000, sourceWav: mic });
    try {
      b.dial(gw.uri());
      await b.waitFor(/Call established/, 10_000);
      await eventually(async () => chats().length, (n) => n > chats0, 15_000, 100);
      await sleep(6000);
      b.hangup();
      await b.waitFor(/terminated/, 5000);
    } finally {
      await b.quit();
    }
    const stt = fake.requests.filter((r) => r.path === '/v1/audio/transcriptions').at(-1)?.body as { prompt?: string; model: string } | undefined;
    assert.ok(stt?.prompt?.includes('Sev-1') && stt.prompt.includes('Postgres'), `vocabulary not in the recogniser prompt: ${JSON.stringify(stt)}`);
    const req = chats()[chats0];
    assert.ok(req, `no chat request reached the LLM (requests: ${JSON.stringify(fake.requests.map((r) => r.path))}, violations: ${JSON.stringify(fake.violations)})\n${gw.describe()}`);
    assert.equal(lastUser(req), QUESTION);
    assert.equal(req.messages[0]?.role, 'system');
    assert.ok(req.tools?.some((x) => x.function.name === 'end_call' && x.function.strict === true), 'tools not declared in strict mode');
    const wav = b.receivedWav();
    assert.ok(wav, 'baresip recorded nothing');
    const e = speechEnergy(readWav(wav));
    t.diagnostic(`heard ${JSON.stringify(e)}; ttfa count ${await gw.metric('trunkline_cascade_ttfa_seconds_count')}`);
    assert.ok(e.speechSec >= 2, `the reply was not heard: ${JSON.stringify(e)}\n${gw.describe()}`);
    assert.ok((await gw.metric('trunkline_cascade_ttfa_seconds_count')) >= 1);
  });

  /** Calls with a scripted caller; asks the question and waits for the agent's reply to be heard. */
  async function askAndHear(caller: RtpCaller): Promise<number> {
    await caller.call();
    caller.say(concat(new Int16Array(4000), speak(QUESTION, 8000)), 0);
    // The reply's first loud frame.
    const first = await eventually(
      async () => caller.heard.find((f) => f.at > 1000 && rmsOf(f.pcm) > 500)?.at,
      (v) => v !== undefined,
      20_000,
      50,
    );
    return first!;
  }

  test('caller speech over the reply interrupts it, and the history keeps only what was heard', { timeout: 60_000 }, async (t) => {
    transcript = QUESTION;
    const chats0 = chats().length;
    const interrupted0 = await gw.metric('trunkline_cascade_barge_ins_total', { outcome: 'interrupted' });
    const caller = await RtpCaller.open({ target: { host: '127.0.0.1', port: gw.sipPort } });
    try {
      const replyAt = await askAndHear(caller);
      await sleep(1500);
      transcript = INTERRUPTION;
      const speech = speak(INTERRUPTION, 8000);
      const interruptAt = caller.now();
      caller.say(speech);
      await sleep(speech.length / 8 + 2500);
      // Barge-in needs 0.5 s of caller speech (plus VAD and jitter-buffer delay, and a loaded machine):
      // from 1.5 s after the caller started, the agent must be silent.
      const during = loudShare(caller, interruptAt + 1500, interruptAt + speech.length / 8);
      const timeline = caller.heard.filter((f) => f.at > interruptAt && f.at < interruptAt + speech.length / 8).map((f) => (rmsOf(f.pcm) > 500 ? '#' : '.')).join('');
      t.diagnostic(`reply at ${Math.round(replyAt)} ms, interruption at ${Math.round(interruptAt)} ms; loud share after it: ${during.toFixed(2)}; heard after it (20 ms frames, # loud): ${timeline}`);
      assert.ok(during < 0.2, `the agent kept talking over the caller (${during.toFixed(2)} loud)\n${gw.describe()}`);
      await eventually(async () => chats().length, (n) => n >= chats0 + 2, 10_000, 100);
    } finally {
      await caller.hangup();
      caller.close();
    }
    assert.ok((await gw.metric('trunkline_cascade_barge_ins_total', { outcome: 'interrupted' })) >= interrupted0 + 1, 'no interruption counted');
    const second = chats()[chats0 + 1]!;
    assert.equal(lastUser(second), INTERRUPTION);
    const heard = String([...second.messages].reverse().find((m) => m.role === 'assistant')?.content ?? '');
    const full = REPLY.join('');
    assert.ok(heard.length > 0 && heard.length < full.length - 40, `history should hold the heard part only, got: ${heard}`);
    assert.ok(full.startsWith(heard.replace(/…$/, '').slice(0, 20)), `heard text is not the reply's start: ${heard}`);
  });

  test('the agent’s own voice echoed back at −12 dB after 150 ms does not interrupt it', { timeout: 60_000 }, async (t) => {
    transcript = QUESTION;
    const chats0 = chats().length;
    const paused0 = await gw.metric('trunkline_cascade_barge_in_stop_seconds_count');
    const caller = await RtpCaller.open({ target: { host: '127.0.0.1', port: gw.sipPort }, echo: { delayMs: 150, gainDb: -12 } });
    let replyAt = 0;
    try {
      replyAt = await askAndHear(caller);
      await sleep(14_000);
    } finally {
      await caller.hangup();
      caller.close();
    }
    const echoChunks = await gw.metric('trunkline_cascade_echo_chunks_total');
    const loudSec = caller.heardRms(replyAt, replyAt + 14_000).filter((r) => r > 500).length * 0.02;
    const expected = REPLY.reduce((n, s) => n + (ttsCache.get(s.trim())?.length ?? 0), 0) / 24_000;
    t.diagnostic(`reply heard ${loudSec.toFixed(1)} s loud of ${expected.toFixed(1)} s synthesised; echo chunks ${echoChunks}`);
    assert.equal((await gw.metric('trunkline_cascade_barge_in_stop_seconds_count')) - paused0, 0, `the echo paused the agent\n${gw.describe()}`);
    assert.equal(chats().length - chats0, 1, 'the echo was taken for a caller turn');
    assert.ok(echoChunks > 0, 'no echo was seen at all: the test did not test anything');
    assert.ok(loudSec > expected * 0.5, `the reply was cut short: ${loudSec} s of ${expected} s`);
  });
});

function rmsOf(x: Int16Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / Math.max(1, x.length));
}

/** Share of received frames in [from, to) that are loud (agent speech). */
function loudShare(c: RtpCaller, from: number, to: number): number {
  const r = c.heardRms(from, to);
  return r.length ? r.filter((v) => v > 500).length / r.length : 1;
}
