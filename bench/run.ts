import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BENCH_DIR } from './lib/plugged.ts';
import { renderReport } from './lib/report.ts';
import { performanceTable, replaceBetweenMarkers } from './lib/readme-table.ts';
import { SECTIONS } from './sections.ts';
import type { BenchResults, SectionResult } from './types.ts';

/**
 * `make bench`: runs every registered section in turn, each bounded by its budget, and writes
 * bench/results/latest.json, bench/results/report.md (+ SVG charts) and the README's performance
 * table. Benchmarks print figures; they never fail the build: a section that throws or overruns is
 * recorded as failed with the reason, and the process still exits 0.
 *
 *   BENCH_QUICK=1       fewer steps and one run each (to try the harness)
 *   BENCH_ONLY=a,b      only these section ids (written to bench/results/partial/, README untouched)
 *   BENCH_NO_README=1   leave README.md alone
 */

const RESULTS_DIR = path.join(BENCH_DIR, 'results');
const README = path.join(BENCH_DIR, '..', 'README.md');

function timeout(ms: number): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(`overran its ${Math.round(ms / 1000)} s budget`)), ms).unref());
}

async function main(): Promise<void> {
  const quick = process.env.BENCH_QUICK === '1';
  const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
  const startedAt = new Date().toISOString();
  const loadAtStart = os.loadavg()[0] ?? 0;
  const sections: SectionResult[] = [];
  for (const s of SECTIONS) {
    if (only && !only.includes(s.id)) continue;
    const t0 = Date.now();
    const budget = quick ? Math.min(s.budgetMs, 120_000) : s.budgetMs;
    console.log(`\n== ${s.title} (budget ${Math.round(budget / 1000)} s)`);
    let r: SectionResult;
    try {
      const ctx = { deadline: t0 + budget, quick, log: (l: string) => console.log(l) };
      // The race bounds a section that hangs; its own loops stop at ctx.deadline well before this.
      r = await Promise.race([s.run(ctx), timeout(budget + 60_000)]);
    } catch (err) {
      r = { id: s.id, title: s.title, status: 'failed', reason: (err as Error).message.split('\n')[0] ?? 'error', figures: [] };
    }
    r = { ...r, durationMs: Date.now() - t0 };
    sections.push(r);
    console.log(`-- ${r.status}${r.reason ? `: ${r.reason}` : ''}`);
    for (const f of r.figures) console.log(`   ${f.label}: ${f.median === null ? 'n/a' : `${Number(f.median.toPrecision(4))} ${f.unit}`}${f.spread && f.spread.n > 1 ? ` (${Number(f.spread.min.toPrecision(3))}–${Number(f.spread.max.toPrecision(3))}, n=${f.spread.n})` : ''}${f.peer ? ` | peer ${f.peer.name}: ${f.peer.value} ${f.peer.unit} (${f.peer.kind})` : ''}`);
  }
  const results: BenchResults = {
    schema: 1,
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown', node: process.versions.node, platform: `${os.platform()} ${os.release()}`, loadAvg: [loadAtStart, os.loadavg()[0] ?? 0] },
    quick,
    sections,
  };
  // A partial run (BENCH_ONLY) never replaces the full results the README is built from.
  const dir = only ? path.join(RESULTS_DIR, 'partial') : RESULTS_DIR;
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  const report = renderReport(results);
  writeFileSync(path.join(dir, 'report.md'), report.markdown);
  for (const [file, svg] of report.svgs) writeFileSync(path.join(dir, file), svg);
  console.log(`\nwrote ${path.relative(process.cwd(), dir)}/latest.json and report.md (${report.svgs.size} charts)`);
  if (process.env.BENCH_NO_README !== '1' && !only) {
    try {
      writeFileSync(README, replaceBetweenMarkers(readFileSync(README, 'utf8'), performanceTable(results)));
      console.log('updated the performance table in README.md');
    } catch (err) {
      console.log(`README.md not updated: ${(err as Error).message}`);
    }
  }
}

main()
  .catch((err: unknown) => console.log(`bench: ${(err as Error).stack ?? String(err)}`))
  .finally(() => process.exit(0));
