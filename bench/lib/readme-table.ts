import type { BenchResults, Figure } from '../types.ts';
import { round } from './stats.ts';

/**
 * The README's performance table, generated from latest.json and written between two markers so
 * the rest of the README stays hand-written:
 *
 *   <!-- bench:start -->  …generated…  <!-- bench:end -->
 */

export const START = '<!-- bench:start -->';
export const END = '<!-- bench:end -->';

/** Figures shown in the README, in order (others stay in the report). */
export const README_KEYS: readonly string[] = [
  'calls-per-core.PCMA.max-calls',
  'calls-per-core.PCMA.cpu-per-call-second',
  'calls-per-core.PCMA.core-share',
  'calls-per-core.PCMA.memory-per-call',
  'calls-per-core.PCMA.interval-error-p99',
  'call-setup.latency-p50',
  'call-setup.latency-p99',
  'call-setup.max-rate',
];

export function formatValue(v: number | null, unit: string): string {
  if (v === null || !Number.isFinite(v)) return 'n/a';
  return `${round(v)} ${unit}`.trim();
}

export function figureRow(f: Figure): string {
  const spread = f.spread && f.spread.n > 1 ? `${round(f.spread.min)}–${round(f.spread.max)} (n=${f.spread.n})` : '';
  const peer = f.peer ? `${formatValue(f.peer.value, f.peer.unit)} — ${f.peer.name}${f.peer.kind === 'reference' ? ' (reference, not measured here)' : ''}` : '';
  return `| ${f.label} | ${formatValue(f.median, f.unit)} | ${spread} | ${peer} |`;
}

/** The Markdown table for `results`: the README keys that exist, then a line on where they came from. */
export function performanceTable(results: BenchResults, keys: readonly string[] = README_KEYS): string {
  const all = new Map(results.sections.flatMap((s) => s.figures.map((f) => [f.key, f] as const)));
  const rows = keys.map((k) => all.get(k)).filter((f): f is Figure => f !== undefined);
  const lines = ['| Figure | Median | Spread (min–max) | Peer |', '|---|---|---|---|'];
  if (rows.length === 0) lines.push('| (no figures yet: run `make bench`) | | | |');
  for (const f of rows) lines.push(figureRow(f));
  const m = results.machine;
  lines.push('', `Measured by \`make bench\` on ${results.finishedAt.slice(0, 10)}: ${m.cpus} × ${m.cpuModel}, Node ${m.node}${m.loadAvg ? `, load average ${m.loadAvg[0].toFixed(1)}–${m.loadAvg[1].toFixed(1)} (other work on the machine makes timing figures worse)` : ''}${results.quick ? ' (quick mode)' : ''}. Full report: \`bench/results/report.md\`.`);
  return lines.join('\n');
}

/** `readme` with the text between the markers replaced; throws when the markers are missing or out of order. */
export function replaceBetweenMarkers(readme: string, body: string): string {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < 0 || b < a) throw new Error(`README has no "${START}" … "${END}" block`);
  return `${readme.slice(0, a + START.length)}\n${body}\n${readme.slice(b)}`;
}
