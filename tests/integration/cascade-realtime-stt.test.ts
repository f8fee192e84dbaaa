/**
 * The cascade with truly streaming STT on real calls: `agent.cascade.stt.transport: realtime`, its
 * recogniser on the strict local Realtime fake (TLS, `?intent=transcription`, trusted through
 * NODE_EXTRA_CA_CERTS), LLM and TTS on the OpenAI REST fake. A baresip PCMU caller speaks an
 * espeak-ng question; a scripted RTP caller takes two turns on one call (one socket for both).
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
import { FakeRealtimeServer } from '../fakes/openai-realtime/server.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../fakes/openai-rest/server.ts';
import type { WireChatRequest } from '../fakes/openai-rest/wire.ts';
import { Baresip } from './harness/baresip.ts';
import { eventually, sleep } from './harness/eventually.ts';
import { startGateway, type Gateway } from './harness/gateway.ts';
import { RtpCaller } from './harness/rtp-caller.ts';
import { readWav, speechEnergy } from './harness/wav.ts';

const QUESTION = 'My Sev-1 ticket for the Postgres cluster is dropping payloads.';
const FOLLOW_UP = 'Can you page the database team again?';
const REPLY = ['Thanks for telling me. ', 'I have opened an incident for the Postgres cluster and paged the database team.'];

function speak(text: string, rate: number): Int16Array {
  const wav = parseWav(execFileSync('espeak-ng', ['--stdout', text], { maxBuffer: 64 << 20 }));
  return resampleOffline(wav.pcm, wav.sampleRate, rate);
}

const lastUser = (r: WireChatRequest): string => String([...r.messages].reverse().find((m) => m.role === 'user')?.content ?? '');

describe('cascade calls with realtime streaming STT', () => {
  let rest: FakeOpenAi;
  let rt: FakeRealtimeServer;
  let gw: Gateway;
  /** What the caller "says" in every item of at least 0.3 s (the fake recogniser's script). */
  let saying = QUESTION;
  const ttsCache = new Map<string, Int16Array>();

  before(async () => {
    rest = await startFakeOpenAi();
    rt = await FakeRealtimeServer.start({ apiKey: rest.apiKey });
    // The first item of speech after the test sets `saying` carries the sentence; later items (the
    // caller's pauses split a turn into several commits) and short or silent ones carry no words, so
    // a turn's final must be exactly the sentence, once.
    rt.transcriptionScript = (item) => {
      if (item.pcm.length / item.sampleRate < 0.3) return { text: '' };
      const text = saying;
      saying = '';
      return { text, delayMs: 120, deltaMs: 20 };
    };
    rest.script = {
      chat: () => ({ text: REPLY, firstDelayMs: 150, chunkDelayMs: 30 }),
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
            // Long enough that espeak-ng's short gaps between words never end the turn early.
            turn: { minSilenceMs: 700 },
            stt: { baseUrl: rt.baseUrl, maxRetries: 0, transport: 'realtime' },
            llm: { baseUrl: rest.baseUrl, maxRetries: 0 },
            tts: { baseUrl: rest.baseUrl, maxRetries: 0, engine: 'openai' },
          },
        },
      },
      env: { OPENAI_API_KEY: rest.apiKey, NODE_EXTRA_CA_CERTS: rt.cert.certFile },
    });
  });

  after(async () => {
    const running = gw?.isRunning();
    const exit = await gw?.stop();
    await rt?.close();
    await rest?.close();
    assert.ok(running, `gateway died during the tests: ${JSON.stringify(exit)}\n${gw?.describe()}`);
    assert.deepEqual(rest.violations, [], 'the gateway sent REST requests the OpenAI API would refuse');
    assert.deepEqual(rt.transcriptions.flatMap((c) => c.violations), [], 'the gateway sent Realtime events the API would refuse');
    assert.deepEqual(rt.refused, [], 'a Realtime upgrade was refused');
  });

  const chats = (): WireChatRequest[] => rest.requests.filter((r) => r.path === '/v1/chat/completions').map((r) => r.body as WireChatRequest);

  test('baresip (PCMU): the streamed transcript reaches the LLM and the caller hears the reply', { timeout: 60_000 }, async (t) => {
    saying = QUESTION;
    const chats0 = chats().length;
    const conns0 = rt.transcriptions.length;
    const dir = mkdtempSync(path.join(tmpdir(), 'cascade-rt-'));
    const mic = path.join(dir, 'question.wav');
    writeFileSync(mic, encodeWav([new Int16Array(8000), speak(QUESTION, 8000), new Int16Array(8000 * 40)], 8000));
    const b = await Baresip.start({ codecs: ['PCMU'], timeoutMs: 45_000, sourceWav: mic });
    try {
      b.dial(gw.uri());
      await b.waitFor(/Call established/, 10_000);
      await eventually(async () => chats().length, (n) => n > chats0, 15_000, 100);
      await sleep(5000);
      b.hangup();
      await b.waitFor(/terminated/, 5000);
    } finally {
      await b.quit();
    }
    assert.equal(rest.requests.filter((r) => r.path === '/v1/audio/transcriptions').length, 0, 'the REST recogniser was used');
    const conns = rt.transcriptions.slice(conns0);
    assert.equal(conns.length, 1, 'one transcription session per call');
    const conn = conns[0]!;
    const input = conn.session?.audio?.input;
    assert.deepEqual(input?.format, { type: 'audio/pcmu' }, 'a G.711 call streams µ-law');
    assert.equal(input?.turn_detection, null);
    assert.ok(input?.transcription?.prompt?.includes('Sev-1') && input.transcription.prompt.includes('Postgres'), `vocabulary not in the prompt: ${JSON.stringify(input)}`);
    assert.ok(conn.items.length >= 1, 'nothing was committed');
    const req = chats()[chats0];
    assert.ok(req, `no chat request reached the LLM\n${gw.describe()}`);
    assert.match(lastUser(req), new RegExp(QUESTION.replace(/[.?]/g, '\\$&')));
    const wav = b.receivedWav();
    assert.ok(wav, 'baresip recorded nothing');
    const e = speechEnergy(readWav(wav));
    const sttFinal = await gw.metric('trunkline_cascade_stt_final_seconds_sum');
    const finals = await gw.metric('trunkline_cascade_stt_final_seconds_count');
    t.diagnostic(`items ${conn.items.length} (${conn.items.map((i) => (i.pcm.length / 8000).toFixed(2)).join(', ')} s), clears ${conn.clears}; heard ${JSON.stringify(e)}; STT final mean ${((sttFinal / Math.max(1, finals)) * 1000).toFixed(0)} ms over ${finals}; connect count ${await gw.metric('trunkline_cascade_stt_connect_seconds_count')}`);
    assert.ok(e.speechSec >= 2, `the reply was not heard: ${JSON.stringify(e)}\n${gw.describe()}`);
    assert.ok((await gw.metric('trunkline_cascade_stt_sessions_total', { outcome: 'ready' })) >= 1);
  });

  test('two turns on one call share one transcription socket, and each turn’s final is its own', { timeout: 60_000 }, async () => {
    const chats0 = chats().length;
    const conns0 = rt.transcriptions.length;
    const caller = await RtpCaller.open({ target: { host: '127.0.0.1', port: gw.sipPort } });
    try {
      await caller.call();
      saying = QUESTION;
      caller.say(speak(QUESTION, 8000), 500);
      await eventually(async () => chats().length, (n) => n >= chats0 + 1, 15_000, 100);
      // Let the reply play out before the next turn (so it is a turn, not a barge-in).
      await sleep(7000);
      saying = FOLLOW_UP;
      caller.say(speak(FOLLOW_UP, 8000));
      await eventually(async () => chats().length, (n) => n >= chats0 + 2, 15_000, 100);
    } finally {
      await caller.hangup();
      caller.close();
    }
    assert.equal(rt.transcriptions.length - conns0, 1, 'the call dialled more than one transcription session');
    assert.equal(lastUser(chats()[chats0]!), QUESTION);
    assert.equal(lastUser(chats()[chats0 + 1]!), FOLLOW_UP);
    await eventually(async () => rt.transcriptions.at(-1)!.closed, (c) => c, 5000, 100);
  });
});
