import { pinSelf } from '../lib/affinity.ts';
import { startPinnedGateway, type PinnedGateway } from '../lib/pinned-gateway.ts';
import { setupCallXml } from '../lib/scenarios.ts';
import { startSippLoad } from '../lib/sipp-load.ts';
import { percentile, summarize } from '../lib/stats.ts';
import type { Figure, Section, SectionResult } from '../types.ts';

/**
 * Call set-up: INVITE → 200 OK latency as SIPp measures it (response time from sending the INVITE to
 * receiving the 200, `-trace_rtt`), at a fixed moderate rate, then a bounded ramp of call rates to
 * find the highest one sustained without a failed call. Gateway on CPU 0, SIPp on CPU 1.
 */

const OFFER = { payloadType: 8, rtpmap: 'PCMA/8000' };
const FIXED_RATE = 20;
/** A call answered after this long counts as failed for the sustained-rate ramp (a caller gives up). */
const SLOW_MS = 1000;

interface RateTrial {
  readonly rate: number;
  readonly calls: number;
  readonly ok: number;
  readonly failed: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

async function trial(gw: PinnedGateway, rate: number, seconds: number, holdMs: number): Promise<RateTrial> {
  const calls = Math.max(1, Math.round(rate * seconds));
  const sipp = await startSippLoad({ target: gw.target, scenarioXml: setupCallXml(OFFER, holdMs), calls, rate, cpu: 1, timeoutMs: seconds * 1000 + holdMs + 25_000, rtt: true });
  const r = await sipp.done;
  // Let the gateway finish tearing the calls down before the next trial (bounded).
  for (let i = 0; i < 40 && (await gw.activeCalls().catch(() => 0)) > 0; i++) await new Promise((res) => setTimeout(res, 250));
  const ok = r.stats?.successful ?? 0;
  return { rate, calls, ok, failed: r.stats?.failed ?? calls - ok, p50Ms: percentile(r.rttMs, 50), p99Ms: percentile(r.rttMs, 99) };
}

export const callSetup: Section = {
  id: 'call-setup',
  title: 'Call set-up',
  budgetMs: 3 * 60_000,
  async run(ctx) {
    const unpin = pinSelf(1);
    const gw = await startPinnedGateway({ cpu: 0, rtpPorts: 2 * 1200 + 64, config: { codecs: ['PCMA', 'PCMU'], calls: { maxConcurrent: 2000 } } });
    const runs = ctx.quick ? 1 : 3;
    const figures: Figure[] = [];
    const notes: string[] = [];
    const detail: { fixed: RateTrial[]; ramp: RateTrial[] } = { fixed: [], ramp: [] };
    try {
      await trial(gw, 5, 1, 200); // warm-up: TTS cache, JIT
      for (let i = 0; i < runs; i++) {
        const t = await trial(gw, FIXED_RATE, ctx.quick ? 2 : 3, 1000);
        detail.fixed.push(t);
        ctx.log(`  ${FIXED_RATE} cps run ${i + 1}: p50 ${t.p50Ms.toFixed(1)} ms, p99 ${t.p99Ms.toFixed(1)} ms, ${t.ok}/${t.calls} ok`);
      }
      const p50 = summarize(detail.fixed.map((t) => t.p50Ms));
      const p99 = summarize(detail.fixed.map((t) => t.p99Ms));
      figures.push({ key: 'call-setup.latency-p50', label: `INVITE → 200 OK latency, median, at ${FIXED_RATE} calls/s`, unit: 'ms', better: 'lower', ...p50 });
      figures.push({ key: 'call-setup.latency-p99', label: `INVITE → 200 OK latency, p99, at ${FIXED_RATE} calls/s`, unit: 'ms', better: 'lower', ...p99 });

      const ladder = ctx.quick ? [25, 100] : [25, 50, 100, 200, 300, 400, 600];
      let best = 0;
      const steps: string[] = [];
      for (const rate of ladder) {
        if (Date.now() + runs * 9000 > ctx.deadline) {
          steps.push(`${rate}: not run (time budget)`);
          break;
        }
        const trials: RateTrial[] = [];
        for (let i = 0; i < runs; i++) trials.push(await trial(gw, rate, 3, 500));
        detail.ramp.push(...trials);
        const bad = trials.find((t) => t.failed > 0 || t.ok < t.calls || !(t.p99Ms < SLOW_MS));
        ctx.log(`  ${rate} cps: ${trials.map((t) => `${t.ok}/${t.calls} ok, p50 ${t.p50Ms.toFixed(0)} ms, p99 ${t.p99Ms.toFixed(0)} ms`).join('; ')}`);
        steps.push(`${rate}${bad ? '✗' : '✓'}`);
        if (bad) break;
        best = rate;
      }
      const lowerBound = !steps.some((s) => s.includes('✗'));
      figures.push({
        key: 'call-setup.max-rate', label: `Highest call rate sustained (3 s bursts, no failed call, p99 set-up < ${SLOW_MS} ms)`, unit: 'calls/s', better: 'higher', median: best,
        note: `ramp ${steps.join(' ')}${lowerBound ? '; no failure within the ramp, so a lower bound' : ''}`,
      });
      notes.push('Latency is SIPp\'s response time from sending the INVITE to receiving the 200 OK (`-trace_rtt`), over loopback, with the local voice menu answering at once (answerDelayMs 0).');
      notes.push('Each call is held briefly (no media from SIPp) then hung up; the gateway still runs its RTP leg and the menu for each call.');
    } finally {
      await gw.stop();
      unpin();
    }
    const chartPoints = detail.ramp.map((t) => [t.rate, t.p99Ms] as [number, number]);
    const result: SectionResult = {
      id: 'call-setup',
      title: 'Call set-up',
      status: 'ok',
      figures,
      charts: chartPoints.length ? [{ kind: 'line', id: 'latency', title: 'INVITE → 200 OK p99 by call rate', xLabel: 'calls per second', yLabel: 'ms', series: [{ name: 'p99', points: chartPoints }] }] : [],
      notes,
      detail,
    };
    return result;
  },
};
