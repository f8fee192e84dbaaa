import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { implementedCodecs } from '../../codecs/index.ts';
import type { CodecName } from '../../codecs/types.ts';
import { pinSelf } from '../lib/affinity.ts';
import { G711A_PCAP, pcapDurationMs, transcodeG711aPcap } from '../lib/codec-pcap.ts';
import { startInstantCascadeProvider, type InstantProvider } from '../lib/instant-openai.ts';
import { startPinnedGateway, type PinnedGateway } from '../lib/pinned-gateway.ts';
import type { OfferCodec } from '../lib/scenarios.ts';
import { summarize } from '../lib/stats.ts';
import type { Chart, Figure, Section, SectionContext, SectionResult } from '../types.ts';
import { P99_BUDGET_MS, runTrial, type TrialResult } from './calls-per-core-step.ts';

/**
 * Calls per core: the gateway pinned to CPU 0, SIPp (and the capture, and this process) on CPU 1;
 * N concurrent calls with audio both ways, the local voice menu answering (it speaks at once from
 * its TTS cache: an instant local provider). N ramps up; the largest N whose median p99 outbound
 * interval error stays under 5 ms, with no frame lost in any trial, is the figure. The VAD variant
 * swaps the menu for the cascade agent (Silero VAD on every call's inbound audio, every tick) on an
 * in-process OpenAI REST fake that answers STT, LLM and TTS at once (lib/instant-openai.ts).
 */

const GATEWAY_CPU = 0;
const LOAD_CPU = 1;

/** FreeSWITCH 1.10.12 + mod_audio_fork, from /work/shared/reference/silero-vad-and-codec-costs.md. */
const FS_REF = 'FreeSWITCH 1.10.12 media leg + mod_audio_fork, no VAD, no agent';
const FS_SOURCE = 'shared/reference/silero-vad-and-codec-costs.md';

interface Variant {
  readonly id: string;
  readonly label: string;
  readonly codec: CodecName;
  readonly offer: OfferCodec;
  readonly config: Readonly<Record<string, unknown>>;
  /** The cascade agent on the instant local provider (Silero VAD on every call) instead of the menu. */
  readonly cascade?: boolean;
  /** Undefined when it can run; otherwise why not (yet). */
  unavailable(): string | undefined;
}

const needCodec = (c: CodecName) => (): string | undefined =>
  implementedCodecs().includes(c) ? undefined : `${c} is not in codecs/index.ts yet`;

const VARIANTS: readonly Variant[] = [
  { id: 'PCMA', label: 'G.711 A-law', codec: 'PCMA', offer: { payloadType: 8, rtpmap: 'PCMA/8000' }, config: { codecs: ['PCMA', 'PCMU'] }, unavailable: () => undefined },
  { id: 'G722', label: 'G.722', codec: 'G722', offer: { payloadType: 9, rtpmap: 'G722/8000' }, config: { codecs: ['G722', 'PCMA', 'PCMU'] }, unavailable: needCodec('G722') },
  { id: 'opus', label: 'Opus', codec: 'opus', offer: { payloadType: 111, rtpmap: 'opus/48000/2' }, config: { codecs: ['opus', 'PCMA', 'PCMU'] }, unavailable: needCodec('opus') },
  // VAD on every call: the cascade agent runs Silero VAD on each call's inbound audio every tick; the
  // looped pcap is speech, so turns reach STT → LLM → TTS too, answered at once by an in-process fake.
  { id: 'PCMA-vad', label: 'G.711 A-law + VAD', codec: 'PCMA', offer: { payloadType: 8, rtpmap: 'PCMA/8000' }, config: { codecs: ['PCMA', 'PCMU'] }, cascade: true, unavailable: () => undefined },
];

interface StepSummary {
  readonly calls: number;
  readonly pass: boolean;
  readonly why?: string;
  readonly trials: readonly TrialResult[];
}

async function runVariant(v: Variant, ctx: SectionContext, budgetEnd: number): Promise<{ steps: StepSummary[]; error?: string; note?: string }> {
  let pcap = G711A_PCAP;
  if (v.codec !== 'PCMA') {
    pcap = path.join(mkdtempSync(path.join(tmpdir(), 'trunkline-bench-pcap-')), `${v.id}.pcap`);
    transcodeG711aPcap(v.codec, v.offer.payloadType, pcap);
  }
  const pcapMs = pcapDurationMs(pcap);
  const ladder = ctx.quick ? [20, 100] : [50, 100, 200, 300, 400, 500, 600, 800, 1000];
  const trials = ctx.quick ? 1 : 3;
  const maxCalls = ladder[ladder.length - 1] ?? 100;
  const provider: InstantProvider | undefined = v.cascade ? await startInstantCascadeProvider() : undefined;
  let gw;
  try {
    gw = await startPinnedGateway({ cpu: GATEWAY_CPU, rtpPorts: 2 * maxCalls + 64, config: { ...v.config, ...(provider?.config ?? {}), calls: { maxConcurrent: maxCalls + 50 } }, env: provider?.env ?? {} });
  } catch (err) {
    await provider?.close();
    throw err;
  }
  const steps: StepSummary[] = [];
  let note: string | undefined;
  try {
    // Warm-up: synthesises and caches the greeting, JIT-compiles the media path.
    await runTrial(gw, v.offer, pcap, pcapMs, { calls: 5, rate: 5, windowMs: 1000, settleMs: 500 }, LOAD_CPU);
    for (const calls of ladder) {
      const rate = Math.min(100, Math.max(10, Math.ceil(calls / 3)));
      const plan = { calls, rate, windowMs: ctx.quick ? 2000 : 4000, settleMs: 1000 };
      const estMs = trials * ((2 * calls) / rate * 1000 + plan.windowMs + plan.settleMs + 6000);
      if (Date.now() + estMs > budgetEnd) {
        ctx.log(`  ${v.id}: stopping the ramp before N=${calls} (time budget)`);
        break;
      }
      const results: TrialResult[] = [];
      for (let t = 0; t < trials; t++) {
        const r = await runTrial(gw, v.offer, pcap, pcapMs, plan, LOAD_CPU);
        results.push(r);
        ctx.log(`  ${v.id} N=${calls} trial ${t + 1}: p99 ${r.errP99Ms.toFixed(2)} ms, max ${r.errMaxMs.toFixed(1)} ms, lost ${r.lost}, ${(r.cpuPerCallSecond * 1000).toFixed(2)} ms CPU/call-s, ${(r.memoryPerCallBytes / 1024).toFixed(0)} KiB/call${r.why ? ` — ${r.why}` : ''}`);
      }
      const p99 = summarize(results.map((r) => r.errP99Ms)).median ?? Infinity;
      const failed = results.find((r) => !r.pass && !/p99 interval error/.test(r.why ?? ''));
      const why = failed?.why ?? (p99 < P99_BUDGET_MS ? undefined : `median p99 interval error ${p99.toFixed(2)} ms ≥ ${P99_BUDGET_MS} ms`);
      steps.push(why === undefined ? { calls, pass: true, trials: results } : { calls, pass: false, why, trials: results });
      // Two failing steps in a row end the ramp; one alone may be a burst of other work on a shared machine.
      if (why !== undefined && steps.length >= 2 && !steps[steps.length - 2]?.pass) break;
    }
    if (provider) note = await cascadeNote(gw, provider);
  } catch (err) {
    return { steps, error: `${(err as Error).message}\n${gw.logTail(800)}` };
  } finally {
    await gw.stop();
    await provider?.close();
  }
  return note === undefined ? { steps } : { steps, note };
}

/** Evidence that the VAD variant measured the cascade (turns answered, no fallback to the menu). */
async function cascadeNote(gw: PinnedGateway, provider: InstantProvider): Promise<string> {
  const c = provider.counts();
  const m = (name: string, labels?: Record<string, string>): Promise<number> => gw.metric(name, labels).catch(() => NaN);
  const routed = await m('trunkline_route_decisions_total', { agent: 'cascade' });
  const answered = await m('trunkline_cascade_ttfa_seconds_count');
  const errors = await m('trunkline_cascade_provider_errors_total');
  const fallbacks = await m('trunkline_agent_fallbacks_total');
  return `over the whole ramp ${routed} calls were routed to the cascade agent, which answered ${answered} turns (${errors} provider errors, ${fallbacks} fallbacks); the instant fake answered ${c.transcribe} transcriptions, ${c.chat} chat completions, ${c.speech} speech requests (${c.violations} protocol violations)`;
}

function figuresFor(v: Variant, steps: readonly StepSummary[]): Figure[] {
  const passed = steps.filter((s) => s.pass);
  const best = passed[passed.length - 1];
  const firstFail = steps.find((s) => !s.pass && s.calls > (best?.calls ?? 0));
  const note = `ramp ${steps.map((s) => `${s.calls}${s.pass ? '✓' : '✗'}`).join(' ')}${firstFail ? `; N=${firstFail.calls}: ${firstFail.why}` : ''}`;
  const at = best ?? steps[0];
  const k = `calls-per-core.${v.id}`;
  const fs = v.codec === 'PCMA' && v.id === 'PCMA';
  const cpu = summarize((at?.trials ?? []).map((t) => t.cpuPerCallSecond));
  const mem = summarize((at?.trials ?? []).map((t) => t.memoryPerCallBytes / 1024));
  const p99 = summarize((at?.trials ?? []).map((t) => t.errP99Ms));
  const n = at ? ` at N=${at.calls}` : '';
  return [
    {
      key: `${k}.max-calls`, label: `${v.label}: concurrent calls on one core (p99 < ${P99_BUDGET_MS} ms, no loss)`, unit: 'calls',
      median: best ? best.calls : 0, better: 'higher', note,
      ...(steps.length && !firstFail ? { note: `${note}; the ramp ended before a failure, so this is a lower bound` } : {}),
      ...(fs ? { peer: { name: FS_REF, value: 200, unit: 'calls', kind: 'reference' as const, source: FS_SOURCE } } : {}),
    },
    {
      key: `${k}.cpu-per-call-second`, label: `${v.label}: CPU per call-second${n}`, unit: 'CPU-ms/call-s', better: 'lower',
      median: cpu.median === null ? null : cpu.median * 1000, runs: cpu.runs.map((x) => x * 1000),
      ...(cpu.spread ? { spread: { ...cpu.spread, min: cpu.spread.min * 1000, max: cpu.spread.max * 1000, p25: cpu.spread.p25 * 1000, p75: cpu.spread.p75 * 1000 } } : {}),
      ...(fs ? { peer: { name: FS_REF, value: 5, unit: 'CPU-ms/call-s', kind: 'reference' as const, source: FS_SOURCE } } : {}),
    },
    {
      key: `${k}.core-share`, label: `${v.label}: gateway CPU use${n}`, unit: '% of a core',
      note: 'when this is far below 100 % and the interval error is still high, the lateness came from other work on the same CPU',
      ...summarize((at?.trials ?? []).map((t) => t.cpuPerCallSecond * t.calls * 100)),
    },
    { key: `${k}.memory-per-call`, label: `${v.label}: resident memory per call${n}`, unit: 'KiB', better: 'lower', ...mem },
    { key: `${k}.interval-error-p99`, label: `${v.label}: outbound packet interval error p99${n}`, unit: 'ms', better: 'lower', ...p99 },
  ];
}

export const callsPerCore: Section = {
  id: 'calls-per-core',
  title: 'Calls per core',
  budgetMs: 9 * 60_000,
  async run(ctx) {
    const unpin = pinSelf(LOAD_CPU);
    const figures: Figure[] = [];
    const notes: string[] = [
      `Gateway pinned to CPU ${GATEWAY_CPU} (taskset), SIPp + tcpdump + the bench on CPU ${LOAD_CPU}. Each call: SIPp plays ${path.basename(G711A_PCAP)} in a loop (transcoded for other codecs); the gateway answers with the local voice menu and sends 20 ms packets continuously. In the VAD variant the cascade agent answers instead: Silero VAD (batched across calls) scores every call's inbound audio, and the speech in the pcap opens turns that go to STT → LLM → TTS on an in-process fake answering at once with a 300 ms reply.`,
      'Interval error = |Δt − 20 ms| between consecutive outbound packets of a call, from kernel capture timestamps on lo. A step passes when the median (over trials) p99 is under 5 ms, no outbound frame is lost (RTP sequence gaps, pacer skips), every call is up and SIPp reports no failed call. The ramp ends after two failing steps in a row; the figure is the largest passing N.',
      'CPU per call-second = Δ(utime+stime) of the gateway process / (calls × window seconds); memory per call = (RSS during the window − RSS idle) / calls.',
      'Peer: FreeSWITCH figures are *reference figures* quoted from the shared reference page (measured elsewhere, media leg only), not measured in this run. For scale, jambonz sizes one "mini" server at 50 calls (per server, reference).',
    ];
    const charts: Chart[] = [];
    const detail: Record<string, unknown> = {};
    const p99Series: { name: string; points: [number, number][] }[] = [];
    const cpuSeries: { name: string; points: [number, number][] }[] = [];
    let anyRan = false;
    let errors = 0;
    try {
      // BENCH_CPC_VARIANTS=PCMA,PCMA-vad runs some variants only (to try one with the whole budget).
      const pick = process.env.BENCH_CPC_VARIANTS?.split(',').map((s) => s.trim()).filter(Boolean);
      const chosen = VARIANTS.filter((v) => !pick || pick.includes(v.id));
      const runnable = chosen.filter((v) => v.unavailable() === undefined);
      for (const v of chosen) {
        const why = v.unavailable();
        if (why !== undefined) {
          ctx.log(`  ${v.id}: not yet available — ${why}`);
          figures.push({ key: `calls-per-core.${v.id}.max-calls`, label: `${v.label}: concurrent calls on one core`, unit: 'calls', median: null, note: `not yet available: ${why}` });
          continue;
        }
        // The first variant (G.711) gets the larger share of the budget.
        const left = ctx.deadline - Date.now();
        const share = v.id === 'PCMA' ? Math.max(0.5, 1 / runnable.length) : 1 / Math.max(1, runnable.length - runnable.indexOf(v));
        const r = await runVariant(v, ctx, Date.now() + left * share);
        anyRan = true;
        if (r.error) {
          errors++;
          notes.push(`${v.label}: ${r.error.split('\n')[0]}`);
        }
        if (r.note) {
          ctx.log(`  ${v.id}: ${r.note}`);
          notes.push(`${v.label}: ${r.note}.`);
        }
        detail[v.id] = r.steps;
        figures.push(...figuresFor(v, r.steps));
        p99Series.push({ name: v.label, points: r.steps.map((s) => [s.calls, summarize(s.trials.map((t) => t.errP99Ms)).median ?? 0]) });
        cpuSeries.push({ name: v.label, points: r.steps.map((s) => [s.calls, (summarize(s.trials.map((t) => t.cpuPerCallSecond)).median ?? 0) * 1000]) });
      }
    } finally {
      unpin();
    }
    charts.push({ kind: 'line', id: 'p99', title: 'Outbound packet interval error, p99 (median of trials)', xLabel: 'concurrent calls', yLabel: 'ms', series: p99Series, limit: { y: P99_BUDGET_MS, label: `${P99_BUDGET_MS} ms budget` } });
    charts.push({ kind: 'line', id: 'cpu', title: 'Gateway CPU per call-second', xLabel: 'concurrent calls', yLabel: 'CPU-ms per call-second', series: [...cpuSeries, { name: 'FreeSWITCH (reference)', points: [[0, 5], [200, 5]] }] });
    const maxBars = figures.filter((f) => f.key.endsWith('.max-calls') && f.median !== null).map((f) => ({ label: f.label.split(':')[0] ?? f.key, value: f.median ?? 0 }));
    charts.push({ kind: 'bar', id: 'max-calls', title: 'Concurrent calls on one core', unit: 'calls', bars: [...maxBars, { label: 'FreeSWITCH (reference)', value: 200, peer: true }] });
    const result: SectionResult = {
      id: 'calls-per-core',
      title: 'Calls per core',
      status: !anyRan ? 'failed' : errors > 0 || figures.some((f) => f.median === null) ? 'partial' : 'ok',
      ...(errors > 0 ? { reason: `${errors} variant(s) stopped with an error (see notes)` } : {}),
      figures,
      charts,
      notes,
      detail,
    };
    return result;
  },
};
