import type { PinnedGateway } from '../lib/pinned-gateway.ts';
import { mediaCallXml, type OfferCodec } from '../lib/scenarios.ts';
import { startSippLoad } from '../lib/sipp-load.ts';
import { startCapture } from '../lib/tcpdump.ts';
import { rtpTiming } from '../lib/rtp-timing.ts';

/**
 * One trial of the calls-per-core ramp: N calls with audio both ways, all up at once, a steady
 * window in which the gateway's outbound RTP is captured on the wire and its CPU and memory are read
 * from /proc, then every call hung up by SIPp.
 *
 *   t=0 ── SIPp places calls at `rate`/s ──▶ all N up ─ settle ─▶ [window: capture + /proc] ─▶ BYEs
 */

export const P99_BUDGET_MS = 5;

export interface StepPlan {
  readonly calls: number;
  readonly rate: number;
  readonly windowMs: number;
  readonly settleMs: number;
}

export interface TrialResult {
  readonly calls: number;
  /** Calls the gateway reported in progress at the start and end of the window. */
  readonly activeAtStart: number;
  readonly activeAtEnd: number;
  readonly streams: number;
  readonly errP50Ms: number;
  readonly errP99Ms: number;
  readonly errMaxMs: number;
  readonly lost: number;
  readonly captureDrops: number;
  readonly cpuPerCallSecond: number;
  readonly memoryPerCallBytes: number;
  readonly pacerSkipped: number;
  readonly sippFailed: number;
  readonly pass: boolean;
  readonly why?: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Why a trial fails the "calls per core" criterion, or undefined when it passes. */
export function trialVerdict(t: Omit<TrialResult, 'pass' | 'why'>): string | undefined {
  if (t.activeAtStart < t.calls || t.activeAtEnd < t.calls) return `only ${Math.min(t.activeAtStart, t.activeAtEnd)} of ${t.calls} calls up`;
  if (t.sippFailed > 0) return `${t.sippFailed} calls failed (SIPp)`;
  if (t.streams < t.calls) return `${t.streams} of ${t.calls} outbound streams on the wire`;
  if (t.captureDrops !== 0) return `capture dropped ${t.captureDrops} packets (inconclusive)`;
  if (t.lost > 0 || t.pacerSkipped > 0) return `${t.lost} outbound frames lost, ${t.pacerSkipped} pacer ticks skipped`;
  if (!(t.errP99Ms < P99_BUDGET_MS)) return `p99 interval error ${t.errP99Ms.toFixed(2)} ms ≥ ${P99_BUDGET_MS} ms`;
  return undefined;
}

async function waitFor(pred: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      if (await pred()) return;
    } catch {
      // gateway busy: poll again
    }
    await sleep(250);
  }
}

export async function runTrial(gw: PinnedGateway, codec: OfferCodec, pcap: string, pcapMs: number, plan: StepPlan, sippCpu: number): Promise<TrialResult> {
  const rampMs = (plan.calls / plan.rate) * 1000;
  const holdMs = rampMs + plan.settleMs + plan.windowMs + 2500;
  await waitFor(async () => (await gw.activeCalls()) === 0, 15_000);
  const idle = gw.proc();
  const sipp = await startSippLoad({
    target: gw.target,
    scenarioXml: mediaCallXml(codec, pcap, pcapMs, holdMs),
    calls: plan.calls,
    rate: plan.rate,
    cpu: sippCpu,
    timeoutMs: rampMs + holdMs + 20_000,
  });
  await waitFor(async () => (await gw.activeCalls()) >= plan.calls, rampMs + 4000);
  await sleep(plan.settleMs);
  const lo = gw.rtpRange.min;
  const hi = gw.rtpRange.max;
  const skipped0 = await gw.metric('trunkline_pacer_skipped_ticks_total').catch(() => NaN);
  const activeAtStart = await gw.activeCalls().catch(() => 0);
  const cap = await startCapture(`udp and src host 127.0.0.1 and src portrange ${lo}-${hi}`, { cpu: sippCpu, maxMs: plan.windowMs + 30_000 });
  const p0 = gw.proc();
  await sleep(plan.windowMs);
  const p1 = gw.proc();
  const captured = await cap.stop();
  const activeAtEnd = await gw.activeCalls().catch(() => 0);
  const skipped1 = await gw.metric('trunkline_pacer_skipped_ticks_total').catch(() => NaN);
  const sippResult = await sipp.done;
  const timing = rtpTiming(captured.records, { fromPort: (p) => p >= lo && p <= hi });
  const active = Math.max(1, Math.min(activeAtStart, activeAtEnd));
  const base = {
    calls: plan.calls,
    activeAtStart,
    activeAtEnd,
    streams: timing.streams,
    errP50Ms: timing.errP50Ms,
    errP99Ms: timing.errP99Ms,
    errMaxMs: timing.errMaxMs,
    lost: timing.lost,
    captureDrops: captured.kernelDrops,
    cpuPerCallSecond: (p1.cpuSec - p0.cpuSec) / (active * (p1.wallSec - p0.wallSec)),
    memoryPerCallBytes: (p0.rssBytes - idle.rssBytes) / active,
    pacerSkipped: Number.isFinite(skipped1 - skipped0) ? skipped1 - skipped0 : 0,
    sippFailed: sippResult.stats?.failed ?? 0,
  };
  const why = trialVerdict(base);
  return why === undefined ? { ...base, pass: true } : { ...base, pass: false, why };
}
