/**
 * Cascade turn latency and barge-in on the wire (issue 5's benchmark). A SIP caller in this process
 * speaks an espeak-ng phrase (PCMU), then digital silence; the gateway runs `agent.default: cascade`
 * with LLM and TTS on the strict local OpenAI REST fake, answering with a 600 ms tone, and STT streamed
 * to the local Realtime transcription fake (BENCH_CASCADE_STT=rest: the REST transcription endpoint).
 *
 *   TTFA      = first agent packet received − last voiced caller packet sent   (caller's socket)
 *   overhead  = TTFA − endpointing silence (agent.cascade.turn.minSilenceMs) − the fake's delays
 *
 * Two delay profiles: instant (0/0/0 ms — the overhead figure, goal < 20 ms at p95) and realistic
 * (STT 150 ms, LLM first token 300 ms, TTS first audio 150 ms): with the stages overlapped, TTFA stays
 * well under silence + 150 + 300 + 150. Barge-in: the reply is a long tone; the caller speaks over
 * it; stop = first silent packet received − first voiced caller packet sent.
 *
 *   node --import tsx bench/cascade.ts        (BENCH_QUICK=1 for a short run)
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { speechWav24k } from '../tests/fakes/openai-realtime/speech.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../tests/fakes/openai-rest/server.ts';
import { FakeRealtimeServer } from '../tests/fakes/openai-realtime/server.ts';
import { BenchCaller } from './lib/bench-caller.ts';
import { startPinnedGateway, type PinnedGateway } from './lib/pinned-gateway.ts';
import { atRate, sleep, tone24k, trimToFrames } from './lib/s2s-rig.ts';
import { percentile, round, summarize } from './lib/stats.ts';
import { breakdown, formatBreakdown, parseTurnTimings, type WireTurn } from './lib/turn-breakdown.ts';
import type { Figure, SectionContext, SectionResult } from './types.ts';

const PHRASE = 'My Sev-1 ticket for the Postgres cluster is dropping payloads';
const MIN_SILENCE_MS = 500;
const REALISTIC = { stt: 150, llm: 300, tts: 150 };
/** A received packet carries agent audio (the tone) when at least half of it is loud. */
const AGENT_AUDIO_SHARE = 0.5;

interface Profile {
  stt: number;
  llm: number;
  tts: number;
  replyMs: number;
}

/** STT transport under test: realtime (the Realtime transcription fake, the default) or rest (BENCH_CASCADE_STT=rest). */
const STT_TRANSPORT: 'realtime' | 'rest' = process.env.BENCH_CASCADE_STT === 'rest' ? 'rest' : 'realtime';

async function rig(fake: FakeOpenAi, rt: FakeRealtimeServer): Promise<PinnedGateway> {
  const stt = STT_TRANSPORT === 'rest' ? { baseUrl: fake.baseUrl, maxRetries: 0, transport: 'rest' } : { baseUrl: rt.baseUrl, maxRetries: 0, transport: 'realtime' };
  return startPinnedGateway({
    cpu: 0,
    rtpPorts: 20,
    config: {
      agent: { default: 'cascade', cascade: { stt, llm: { baseUrl: fake.baseUrl, maxRetries: 0 }, tts: { baseUrl: fake.baseUrl, maxRetries: 0, engine: 'openai' } } },
      routing: { default: { agent: 'cascade', fallback: ['menu'] } },
      calls: { drainTimeoutSec: 1 },
      // The cascade's 'turn timing' lines (info) give the per-stage breakdown of each turn.
      logging: { level: 'info', pii: false },
    },
    env: { OPENAI_API_KEY: fake.apiKey, NODE_EXTRA_CA_CERTS: rt.cert.certFile },
  });
}

function script(fake: FakeOpenAi, rt: FakeRealtimeServer, p: Profile): void {
  const tone = tone24k(p.replyMs);
  // Realtime STT: every committed item of speech (a pause commits one) carries the phrase, after the same delay.
  rt.transcriptionScript = (item) => ({ text: item.pcm.length / item.sampleRate < 0.3 ? '' : `${PHRASE}.`, delayMs: p.stt });
  fake.script = {
    transcribe: () => ({ text: `${PHRASE}.`, delayMs: p.stt }),
    chat: () => ({ text: ['Okay.'], firstDelayMs: p.llm }),
    speech: () => ({ pcm: tone, firstDelayMs: p.tts, chunkMs: 100 }),
  };
}

const agentAudio = (c: BenchCaller): { at: number }[] => c.heard.filter((h) => h.loud >= AGENT_AUDIO_SHARE);

/** One call of `turns` turns; returns TTFA per turn (the first turn warms up and is dropped). */
async function turnRun(gw: PinnedGateway, speech: Int16Array, turns: number, deadline: number, wire?: WireTurn[]): Promise<number[]> {
  const caller = await BenchCaller.open(hostPort(gw.target), 'PCMU');
  const out: number[] = [];
  try {
    await caller.call();
    await sleep(300);
    for (let i = 0; i < turns && Date.now() < deadline; i++) {
      const from = performance.now();
      caller.say(speech, true);
      caller.say(new Int16Array(8000 * 3), false);
      await sleep((speech.length / 8000) * 1000 + 2500);
      const lastVoiced = caller.sent.filter((s) => s.at >= from && s.voiced).at(-1)?.at;
      const first = lastVoiced === undefined ? undefined : agentAudio(caller).find((h) => h.at > lastVoiced)?.at;
      if (i > 0 && lastVoiced !== undefined && first !== undefined) {
        out.push(first - lastVoiced);
        wire?.push({ lastVoicedEpochMs: performance.timeOrigin + lastVoiced, firstHeardEpochMs: performance.timeOrigin + first });
      }
      await sleep(1200);
    }
  } finally {
    await caller.hangup().catch(() => undefined);
    caller.close();
  }
  return out;
}

/** Barge-ins over a long reply: stop time per interruption. */
async function bargeRun(gw: PinnedGateway, speech: Int16Array, n: number, deadline: number): Promise<number[]> {
  const caller = await BenchCaller.open(hostPort(gw.target), 'PCMU');
  const out: number[] = [];
  try {
    await caller.call();
    await sleep(300);
    for (let i = 0; i < n && Date.now() < deadline; i++) {
      caller.say(speech, true);
      caller.say(new Int16Array(8000 * 2), false);
      // Wait for the reply to be playing, then talk over it.
      const deadlineReply = performance.now() + 8000;
      const sentAt = performance.now();
      while (performance.now() < deadlineReply && !agentAudio(caller).some((h) => h.at > sentAt + (speech.length / 8000) * 1000)) await sleep(50);
      await sleep(800);
      const before = caller.sent.length;
      caller.say(speech, true);
      caller.say(new Int16Array(8000 * 2), false);
      await sleep(2500);
      const onset = caller.sent.slice(before).find((s) => s.voiced)?.at;
      if (onset !== undefined) {
        const lastAgent = agentAudio(caller).filter((h) => h.at < onset + 2500).at(-1)?.at;
        const silent = caller.heard.find((h) => h.at > (lastAgent ?? onset) && h.loud < AGENT_AUDIO_SHARE)?.at;
        if (lastAgent !== undefined && lastAgent > onset && silent !== undefined) out.push(silent - onset);
      }
      await sleep(4000);
    }
  } finally {
    await caller.hangup().catch(() => undefined);
    caller.close();
  }
  return out;
}

function fig(key: string, label: string, runs: number[], note?: string): Figure {
  const s = summarize(runs.map((v) => round(v)));
  return { key, label, unit: 'ms', better: 'lower', ...s, ...(note ? { note } : {}) };
}

export async function runCascadeBench(ctx?: SectionContext): Promise<SectionResult> {
  const quick = ctx?.quick ?? process.env.BENCH_QUICK === '1';
  const deadline = ctx?.deadline ?? Date.now() + 10 * 60_000;
  const log = ctx?.log ?? ((l: string) => console.log(l));
  const runs = quick ? 1 : 3;
  const turns = Number(process.env.BENCH_CASCADE_TURNS) || (quick ? 3 : 6);
  const speech = trimToFrames(atRate(speechWav24k(PHRASE), 24000, 8000), 8000);
  const fake = await startFakeOpenAi();
  const rt = await FakeRealtimeServer.start({ apiKey: fake.apiKey });
  const figures: Figure[] = [];
  const detail: Record<string, number[][]> = {};
  let gw: PinnedGateway | undefined;
  try {
    gw = await rig(fake, rt);
    for (const [name, p] of [['instant', { stt: 0, llm: 0, tts: 0, replyMs: 600 }], ['realistic', { ...REALISTIC, replyMs: 600 }]] as const) {
      script(fake, rt, p);
      const perRun: number[][] = [];
      const wire: WireTurn[] = [];
      for (let r = 0; r < runs && Date.now() < deadline - 20_000; r++) {
        const ttfa = await turnRun(gw, speech, turns, deadline, wire);
        perRun.push(ttfa);
        log(`  cascade ${name} run ${r + 1}: ${ttfa.length} turns, TTFA p50 ${round(percentile(ttfa, 50))} ms, p95 ${round(percentile(ttfa, 95))} ms`);
      }
      detail[name] = perRun;
      const stages = breakdown(wire, parseTurnTimings(readFileSync(gw.logFile, 'utf8')), MIN_SILENCE_MS);
      log(`  cascade ${name}: where a turn's time goes (ms after the caller's last voiced packet):\n${formatBreakdown(stages)}`);
      for (const st of stages) detail[`${name}.stage.${st.stage}`] = [st.values];
      const p50 = perRun.filter((x) => x.length).map((x) => percentile(x, 50));
      const p95 = perRun.filter((x) => x.length).map((x) => percentile(x, 95));
      figures.push(fig(`cascade.${name}.ttfa-p50`, `cascade TTFA (${name} providers ${p.stt}/${p.llm}/${p.tts} ms), p50`, p50));
      if (name === 'instant') {
        figures.push(fig('cascade.instant.overhead-p95', `cascade overhead per turn on top of ${MIN_SILENCE_MS} ms endpointing, p95 (goal < 20 ms)`, p95.map((v) => v - MIN_SILENCE_MS), 'the silence is counted from the voice end\'s packet arrival (the jitter buffer waits inside it) and a reply\'s first packet leaves at once; see the stage breakdown'));
      } else {
        figures.push(fig('cascade.realistic.ttfa-p95', 'cascade TTFA (150/300/150 ms providers), p95', p95, `serial sum would be ${MIN_SILENCE_MS + p.stt + p.llm + p.tts} ms + overhead`));
      }
    }
    script(fake, rt, { stt: 0, llm: 0, tts: 0, replyMs: 8000 });
    const stops: number[] = [];
    for (let r = 0; r < runs && Date.now() < deadline - 20_000; r++) stops.push(...(await bargeRun(gw, speech, quick ? 2 : 3, deadline)));
    detail.bargeIn = [stops];
    figures.push(fig('cascade.barge-in.stop-p50', 'cascade barge-in: caller speech onset → agent audio stops on the wire, p50', stops.length ? [percentile(stops, 50)] : [], 'includes the 500 ms of caller speech barge-in waits for (agent.cascade.turn.bargeInMinSpeechMs)'));
  } finally {
    await gw?.stop();
    await fake.close();
    await rt.close();
  }
  return { id: 'cascade', title: 'Cascade turn latency and barge-in (on the wire)', status: figures.every((f) => f.median !== null) ? 'ok' : 'partial', figures, detail };
}

function hostPort(target: string): { host: string; port: number } {
  const i = target.lastIndexOf(':');
  return { host: target.slice(0, i), port: Number(target.slice(i + 1)) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await runCascadeBench();
  for (const f of r.figures) console.log(`${f.label.padEnd(90)} ${String(f.median).padStart(7)} ${f.unit}`);
}
