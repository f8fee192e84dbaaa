/**
 * VAD cost: CPU microseconds of Silero VAD v5 (onnxruntime-node, one intra-op thread) per call per
 * second of audio, at 8 and 16 kHz, with every call's chunks of a tick scored in one batched run()
 * and with one run() per chunk — and the calls per core that implies for VAD alone.
 *
 *   node --import tsx bench/vad.ts            (prints a table; BENCH_QUICK=1 for a short run)
 *
 * Method: CALLS streams each get SECONDS of noise pushed in 20 ms frames, all streams per frame
 * (as the pacer delivers them), then the VAD drains; CPU time is process.cpuUsage() over the run
 * (user + system, all threads), divided by CALLS × SECONDS. Peer: the per-chunk costs measured on
 * this kind of machine in shared/reference/silero-vad-and-codec-costs.md (quoted, not re-measured).
 */
import { pathToFileURL } from 'node:url';
import { SileroVad } from '../agent/providers/vad/silero.ts';
import { summarize } from './lib/stats.ts';
import type { Figure, SectionContext } from './types.ts';

const CALLS = 32;
/** µs per call-second quoted from the reference page: 31.25 chunks/s × per-chunk cost. */
const REFERENCE: Readonly<Record<string, number>> = { '8000.single': 130 * 31.25, '8000.batched': 41 * 31.25, '16000.single': 176 * 31.25, '16000.batched': 68 * 31.25 };

async function measure(rate: number, batch: boolean, seconds: number): Promise<number> {
  const vad = await SileroVad.load({ batch });
  try {
    const frame = rate / 50;
    let seed = 7;
    const noise = Int16Array.from({ length: rate }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) % 8000) - 4000);
    const streams = Array.from({ length: CALLS }, () => vad.open(rate, () => undefined));
    // Warm-up: the first runs allocate.
    for (const s of streams) s.push(noise.subarray(0, rate / 5));
    await vad.drain();
    const cpu0 = process.cpuUsage();
    for (let f = 0; f < seconds * 50; f++) {
      const pcm = noise.subarray((f % 50) * frame, (f % 50) * frame + frame);
      for (const s of streams) s.push(pcm);
      // Let the batcher run about once per pacer tick, as in the gateway.
      if (f % 2 === 1) await new Promise((r) => setImmediate(r));
    }
    await vad.drain();
    const cpu = process.cpuUsage(cpu0);
    streams.forEach((s) => s.close());
    return (cpu.user + cpu.system) / (CALLS * seconds);
  } finally {
    await vad.close();
  }
}

export async function runVadBench(ctx?: SectionContext): Promise<Figure[]> {
  const quick = ctx?.quick ?? process.env.BENCH_QUICK === '1';
  const seconds = quick ? 2 : 6;
  const repeats = quick ? 2 : 5;
  const figures: Figure[] = [];
  for (const rate of [8000, 16000]) {
    for (const mode of ['single', 'batched'] as const) {
      const runs: number[] = [];
      for (let i = 0; i < repeats; i++) {
        if (ctx && Date.now() > ctx.deadline) break;
        runs.push(await measure(rate, mode === 'batched', seconds));
      }
      const s = summarize(runs);
      const khz = rate / 1000;
      figures.push({
        key: `vad.${khz}k.${mode}.us-per-call-second`,
        label: `Silero VAD at ${khz} kHz, ${mode === 'batched' ? `batched (${CALLS} calls per run)` : 'one run per chunk'}`,
        unit: 'µs per call-second',
        median: s.median === null ? null : Math.round(s.median),
        ...(s.spread ? { spread: s.spread } : {}),
        runs: s.runs.map(Math.round),
        better: 'lower',
        peer: { name: 'reference (shared/reference/silero-vad-and-codec-costs.md)', value: Math.round(REFERENCE[`${rate}.${mode}`]!), unit: 'µs per call-second', kind: 'reference' },
      });
      figures.push({
        key: `vad.${khz}k.${mode}.calls-per-core`,
        label: `Calls per core for VAD alone at ${khz} kHz, ${mode}`,
        unit: 'calls',
        median: s.median ? Math.round(1e6 / s.median) : null,
        better: 'higher',
      });
      ctx?.log(`vad ${khz} kHz ${mode}: ${s.median?.toFixed(0)} µs per call-second`);
    }
  }
  return figures;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await runVadBench();
  for (const f of figures) console.log(`${f.label.padEnd(62)} ${String(f.median).padStart(7)} ${f.unit}${f.peer ? `   (reference ${f.peer.value})` : ''}`);
}
