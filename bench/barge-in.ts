import { BenchCaller, type BenchCodec } from './lib/bench-caller.ts';
import { sleep, startS2sRig, tone24k, type S2sRig } from './lib/s2s-rig.ts';
import { percentile, round, summarize } from './lib/stats.ts';
import { bargeInStop, firstAudioAfter, type BargeInStop } from './lib/wire-turns.ts';
import type { Figure, SectionContext, SectionResult } from './types.ts';

/**
 * Speech-to-speech barge-in stop time on the wire (issue 4's benchmark): the strict local Realtime
 * server streams a long tone (ahead of real time, as the real API does, so the gateway's playout
 * holds seconds of agent audio), then sends `input_audio_buffer.speech_started` at a known moment.
 * The caller in this process timestamps every packet it receives; per barge-in:
 *   last agent packet  = arrival of the last packet carrying agent audio − speech_started sent
 *   first silent packet = arrival of the packet after it (no agent audio) − speech_started sent
 * The stop happens between the two (goal: one 20 ms frame). The gateway's own metric
 * trunkline_s2s_barge_in_stop_seconds (to the first silent tick) is read beside it.
 */

const ID = 'barge-in';
const TITLE = 'Barge-in stop time (caller speech on the wire → agent audio stops)';
/** A received packet carries agent audio (the tone) when at least half of it is loud. */
const AGENT_AUDIO_SHARE = 0.5;
const METRIC = 'trunkline_s2s_barge_in_stop_seconds';

interface RunResult {
  readonly codec: BenchCodec;
  readonly stops: BargeInStop[];
  readonly missed: number;
}

function heard(c: BenchCaller): { at: number; audio: boolean }[] {
  return c.heard.map((p) => ({ at: p.at, audio: p.loud >= AGENT_AUDIO_SHARE }));
}

function hostPort(target: string): { host: string; port: number } {
  const i = target.lastIndexOf(':');
  return { host: target.slice(0, i), port: Number(target.slice(i + 1)) };
}

async function oneRun(rig: S2sRig, codec: BenchCodec, cycles: number, deadline: number): Promise<RunResult> {
  const caller = await BenchCaller.open(hostPort(rig.gw.target), codec);
  const stops: BargeInStop[] = [];
  let missed = 0;
  const agent = tone24k(4000);
  try {
    const next = rig.server.nextConnection(10_000);
    await caller.call();
    const conn = await next;
    await sleep(600);
    for (let i = 0; i < cycles && Date.now() < deadline - 8000; i++) {
      const t0 = performance.now();
      // 100 ms deltas every 50 ms: twice real time, so seconds of agent audio wait in the playout.
      const resp = conn.respondWithAudio(agent, { chunkMs: 100, paceMs: 50 });
      const end = Date.now() + 3000;
      while (Date.now() < end && firstAudioAfter(heard(caller), t0) === undefined) await sleep(10);
      // Interrupt somewhere inside the agent's speech, off the 20 ms grid.
      await sleep(500 + Math.random() * 900);
      const startedAt = performance.now();
      conn.speechStarted();
      await sleep(400);
      conn.speechStopped();
      const windowEnd = performance.now();
      await Promise.race([resp.done, sleep(3000)]);
      const s = bargeInStop(heard(caller), startedAt, windowEnd);
      if (s) stops.push(s);
      else missed++;
      await sleep(200);
    }
    if (conn.violations.some((v) => !/^response_cancel_not_active/.test(v))) throw new Error(`the model server refused events: ${conn.violations[0]}`);
  } finally {
    await caller.hangup().catch(() => undefined);
    caller.close();
  }
  return { codec, stops, missed };
}

function fig(key: string, label: string, runs: number[], note?: string): Figure {
  return { key, label, unit: 'ms', better: 'lower', ...summarize(runs.map((v) => round(v))), ...(note ? { note } : {}) };
}

export async function runBargeInBench(ctx: SectionContext): Promise<SectionResult> {
  const codecs: BenchCodec[] = ['PCMU', 'G722'];
  const runs = ctx.quick ? 1 : 3;
  const cycles = ctx.quick ? 4 : 6;
  const rig = await startS2sRig();
  const results: RunResult[] = [];
  const figures: Figure[] = [];
  let metricMeanMs: number | undefined;
  try {
    const sum0 = await rig.gw.metric(`${METRIC}_sum`);
    const n0 = await rig.gw.metric(`${METRIC}_count`);
    for (const codec of codecs) {
      for (let r = 0; r < runs && Date.now() < ctx.deadline - 15_000; r++) {
        const res = await oneRun(rig, codec, cycles, ctx.deadline);
        results.push(res);
        ctx.log(`  ${codec} run ${r + 1}: ${res.stops.length} barge-ins (${res.missed} missed), last agent packet p50 ${round(percentile(res.stops.map((s) => s.lastAgentMs), 50))} ms, first silent packet p50 ${round(percentile(res.stops.map((s) => s.firstSilentMs), 50))} ms`);
      }
      const mine = results.filter((x) => x.codec === codec && x.stops.length > 0);
      const per = (f: (s: BargeInStop) => number, p: number): number[] => mine.map((x) => percentile(x.stops.map(f), p));
      const c = codec.toLowerCase();
      figures.push(fig(`${ID}.s2s.${c}.last-agent-packet-p50`, `s2s ${codec}: speech_started → last agent packet, p50`, per((s) => s.lastAgentMs, 50), '≤ 0: no agent packet left after the signal was sent'));
      figures.push(fig(`${ID}.s2s.${c}.last-agent-packet-p95`, `s2s ${codec}: speech_started → last agent packet, p95 (goal ≤ 20 ms)`, per((s) => s.lastAgentMs, 95)));
      figures.push(fig(`${ID}.s2s.${c}.first-silent-packet-p95`, `s2s ${codec}: speech_started → first packet without agent audio, p95`, per((s) => s.firstSilentMs, 95)));
    }
    const n = (await rig.gw.metric(`${METRIC}_count`)) - n0;
    if (n > 0) metricMeanMs = (((await rig.gw.metric(`${METRIC}_sum`)) - sum0) * 1000) / n;
  } finally {
    await rig.stop();
  }
  if (metricMeanMs !== undefined) figures.push({ key: `${ID}.s2s.gateway-metric-mean`, label: `gateway's own ${METRIC} (mean, all runs)`, unit: 'ms', median: round(metricMeanMs), better: 'lower', note: 'speech_started received → the first tick without agent audio, inside the gateway' });
  const measured = results.reduce((k, r) => k + r.stops.length, 0);
  return {
    id: ID,
    title: TITLE,
    status: measured === 0 ? 'failed' : results.some((r) => r.missed > 0) ? 'partial' : 'ok',
    ...(measured === 0 ? { reason: 'no barge-in was measured' } : {}),
    figures,
    notes: [
      'Model: the strict local Realtime server in the bench process streams a 4 s tone at twice real time and sends speech_started 0.5–1.4 s after the caller first hears it (the server cancels its response itself, as server_vad with interrupt_response does; the gateway clears its playout, truncates and cancels). Caller: SIP + RTP from the same process, digital silence. Gateway pinned to CPU 0, agent s2s.',
      'Timestamps on one process clock: speech_started at the model server\'s WebSocket send, packets at the caller\'s socket. The WebSocket hop to the gateway is included, as a real barge-in includes it.',
    ],
    detail: results.map((r) => ({ codec: r.codec, missed: r.missed, stops: r.stops.map((s) => ({ lastAgentMs: round(s.lastAgentMs), firstSilentMs: round(s.firstSilentMs) })) })),
  };
}
