import { speechWav24k } from '../tests/fakes/openai-realtime/speech.ts';
import { BenchCaller, type BenchCodec } from './lib/bench-caller.ts';
import { atRate, scriptTurns, sleep, startS2sRig, tone24k, trimToFrames, type ModelTurn } from './lib/s2s-rig.ts';
import { percentile, round, summarize } from './lib/stats.ts';
import { rms } from './lib/turn-detect.ts';
import { firstAudioAfter, turnOverhead, type TurnOverhead } from './lib/wire-turns.ts';
import type { Figure, SectionContext, SectionResult } from './types.ts';

/**
 * Speech-to-speech turn latency on the wire (issue 4's benchmark): a SIP caller in this process
 * speaks (espeak-ng speech, encoded with codecs/), then sends digital silence; the strict local
 * Realtime server emulates server_vad and answers at once with a tone. Per turn:
 *   total    = first agent packet received − last voiced caller packet sent   (caller's socket)
 *   model    = first delta sent − last voiced input received                   (model's socket)
 *   overhead = total − model = what the gateway adds, both directions
 * p50 and p95 per run (a run = one call of several turns), median and spread over runs.
 */

const ID = 'turn-latency';
const TITLE = 'Turn latency (caller stops → agent audio on the wire)';
const PHRASE = 'I would like to check my account balance';
const VAD_SILENCE_MS = 300;
/** A received packet carries agent audio (the tone) when at least half of it is loud. */
const AGENT_AUDIO_SHARE = 0.5;

interface RunResult {
  readonly codec: BenchCodec;
  readonly turns: TurnOverhead[];
  /** The first turn of each call (not counted). */
  readonly warmup: TurnOverhead[];
  readonly missed: number;
}

async function oneRun(rig: Awaited<ReturnType<typeof startS2sRig>>, codec: BenchCodec, speech24k: Int16Array, turns: number, deadline: number): Promise<RunResult> {
  const caller = await BenchCaller.open(hostPort(rig.gw.target), codec);
  const speech = trimToFrames(atRate(speech24k, 24000, caller.sampleRate), caller.sampleRate);
  const out: TurnOverhead[] = [];
  const warmup: TurnOverhead[] = [];
  let missed = 0;
  try {
    const next = rig.server.nextConnection(10_000);
    await caller.call();
    const conn = await next;
    const model: ModelTurn[] = scriptTurns(conn, tone24k(600), VAD_SILENCE_MS);
    await sleep(600); // the stream settles (latch, jitter buffer primed)
    // Turn 0 warms the path up (first use of the codec and resampler in the gateway) and is not counted.
    for (let i = 0; i <= turns && Date.now() < deadline - 8000; i++) {
      const turnStart = performance.now();
      const seen = model.length;
      caller.say(speech, true);
      const end = Date.now() + 3000 + (speech.length * 1000) / caller.sampleRate;
      const answered = (): boolean => model.length > seen && model[seen]!.response.firstDeltaAt !== undefined && firstAudioAfter(heard(caller), turnStart) !== undefined;
      while (Date.now() < end && !answered()) await sleep(20);
      await Promise.race([Promise.all(model.slice(seen).map((m) => m.response.done)), sleep(3000)]);
      await sleep(300);
      // Exactly one model turn per caller turn; a split turn (VAD fired mid-phrase) is not paired.
      const m = model.length === seen + 1 ? model[seen] : undefined;
      const lastVoiced = lastVoicedSentAfter(caller, turnStart);
      const firstAgent = lastVoiced === undefined ? undefined : firstAudioAfter(heard(caller), lastVoiced);
      if (!m || m.response.firstDeltaAt === undefined || lastVoiced === undefined || firstAgent === undefined) {
        if (i > 0) missed++;
        continue;
      }
      const t = turnOverhead({ lastVoicedSentAt: lastVoiced, modelLastVoicedAt: m.lastVoicedAt, modelFirstDeltaAt: m.response.firstDeltaAt, firstAgentHeardAt: firstAgent });
      if (i === 0) warmup.push(t);
      else out.push(t);
    }
    if (conn.violations.some((v) => !/^response_cancel_not_active/.test(v))) throw new Error(`the model server refused events: ${conn.violations[0]}`);
  } finally {
    await caller.hangup().catch(() => undefined);
    caller.close();
  }
  return { codec, turns: out, warmup, missed };
}

function heard(c: BenchCaller): { at: number; audio: boolean }[] {
  return c.heard.map((p) => ({ at: p.at, audio: p.loud >= AGENT_AUDIO_SHARE }));
}

function lastVoicedSentAfter(c: BenchCaller, t: number): number | undefined {
  let last: number | undefined;
  for (const p of c.sent) if (p.at >= t && p.voiced) last = p.at;
  return last;
}

function hostPort(target: string): { host: string; port: number } {
  const i = target.lastIndexOf(':');
  return { host: target.slice(0, i), port: Number(target.slice(i + 1)) };
}

function fig(key: string, label: string, runs: number[], note?: string): Figure {
  const s = summarize(runs.map((v) => round(v)));
  return { key, label, unit: 'ms', better: 'lower', ...s, ...(note ? { note } : {}) };
}

export async function runTurnLatencyBench(ctx: SectionContext): Promise<SectionResult> {
  const codecs: BenchCodec[] = ['PCMU', 'G722'];
  const runs = ctx.quick ? 1 : 3;
  const turns = ctx.quick ? 4 : 6;
  const speech24k = speechWav24k(PHRASE);
  const rig = await startS2sRig();
  const results: RunResult[] = [];
  const figures: Figure[] = [];
  const notes: string[] = [
    `Caller: SIP + RTP from the bench process (${PHRASE.split(' ').length}-word espeak-ng phrase, then digital silence); model: the strict local Realtime server in the same process, emulating server_vad (${VAD_SILENCE_MS} ms of silence ends a turn) and answering at once with a 600 ms tone. The first turn of each call warms the path up and is not counted (its overhead is kept in detail.warmup). Gateway pinned to CPU 0, default config (jitter buffer 40–200 ms), agent s2s, greeting off.`,
    'Timestamps: the caller\'s socket send / arrival and the model server\'s WebSocket receive / send, one process clock. overhead = (first agent packet − last voiced caller packet) − (first delta − last voiced input received). input = caller packet → model has it; output = model\'s first delta → caller has the first agent packet.',
  ];
  try {
    for (const codec of codecs) {
      for (let r = 0; r < runs && Date.now() < ctx.deadline - 15_000; r++) {
        const res = await oneRun(rig, codec, speech24k, turns, ctx.deadline);
        results.push(res);
        const o = res.turns.map((t) => t.overheadMs);
        ctx.log(`  ${codec} run ${r + 1}: ${res.turns.length} turns (${res.missed} missed), overhead p50 ${round(percentile(o, 50))} ms, p95 ${round(percentile(o, 95))} ms; input p50 ${round(percentile(res.turns.map((t) => t.inputMs), 50))} ms, output p50 ${round(percentile(res.turns.map((t) => t.outputMs), 50))} ms`);
      }
      const mine = results.filter((x) => x.codec === codec && x.turns.length > 0);
      const per = (f: (t: TurnOverhead) => number, p: number): number[] => mine.map((x) => percentile(x.turns.map(f), p));
      const c = codec.toLowerCase();
      figures.push(fig(`${ID}.s2s.${c}.overhead-p50`, `s2s ${codec}: gateway overhead per turn, p50`, per((t) => t.overheadMs, 50)));
      figures.push(fig(`${ID}.s2s.${c}.overhead-p95`, `s2s ${codec}: gateway overhead per turn, p95 (goal < 20 ms)`, per((t) => t.overheadMs, 95)));
      figures.push(fig(`${ID}.s2s.${c}.input-p50`, `s2s ${codec}: caller packet → model, p50`, per((t) => t.inputMs, 50)));
      figures.push(fig(`${ID}.s2s.${c}.output-p50`, `s2s ${codec}: model delta → caller packet, p50`, per((t) => t.outputMs, 50)));
      figures.push(fig(`${ID}.s2s.${c}.model-p50`, `s2s ${codec}: model's own delay (subtracted), p50`, per((t) => t.modelMs, 50), `the emulated VAD's ${VAD_SILENCE_MS} ms of silence plus an instant answer`));
    }
  } finally {
    await rig.stop();
  }
  const measured = results.reduce((n, r) => n + r.turns.length, 0);
  return {
    id: ID,
    title: TITLE,
    status: measured === 0 ? 'failed' : results.some((r) => r.missed > 0) ? 'partial' : 'ok',
    ...(measured === 0 ? { reason: 'no turn was measured' } : {}),
    figures,
    notes,
    detail: results.map((r) => ({ codec: r.codec, missed: r.missed, warmup: r.warmup.map((t) => round(t.overheadMs)), turns: r.turns.map((t) => ({ overheadMs: round(t.overheadMs), inputMs: round(t.inputMs), outputMs: round(t.outputMs), modelMs: round(t.modelMs), totalMs: round(t.totalMs) })) })),
  };
}


