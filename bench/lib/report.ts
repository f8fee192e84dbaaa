import type { BenchResults, Chart, Figure, SectionResult } from '../types.ts';
import { formatValue } from './readme-table.ts';
import { round } from './stats.ts';
import { chartSvg } from './svg.ts';

/**
 * The readable report: one Markdown page with every section's figures (median, spread, runs, peer),
 * its notes and its charts. Charts are written as SVG files beside the page and linked as images,
 * so the page renders on GitHub and in any Markdown viewer.
 */

export interface RenderedReport {
  readonly markdown: string;
  /** File name (relative to the report) → SVG text. */
  readonly svgs: ReadonlyMap<string, string>;
}

/** Larger detail stays in latest.json only. */
const MAX_DETAIL_CHARS = 20_000;

const STATUS: Record<SectionResult['status'], string> = {
  ok: 'ok',
  partial: 'partial',
  failed: 'FAILED',
  'not-available': 'not yet available',
};

function figureLine(f: Figure): string {
  const spread = f.spread && f.spread.n > 1 ? `${round(f.spread.min)}–${round(f.spread.max)} (IQR ${round(f.spread.p25)}–${round(f.spread.p75)}, n=${f.spread.n})` : f.spread ? 'n=1' : '';
  const runs = f.runs && f.runs.length ? f.runs.map((r) => (Number.isFinite(r) ? String(round(r)) : '—')).join(', ') : '';
  const peer = f.peer
    ? `${formatValue(f.peer.value, f.peer.unit)} ${f.peer.name}${f.peer.kind === 'reference' ? ' — *reference figure, not measured in this run*' : ' (measured in this run)'}${f.peer.source ? ` [${f.peer.source}]` : ''}`
    : '';
  const note = f.note ? ` ${f.note}` : '';
  return `| ${f.label} | **${formatValue(f.median, f.unit)}** | ${spread} | ${runs} | ${peer}${note} |`;
}

export function renderReport(results: BenchResults): RenderedReport {
  const svgs = new Map<string, string>();
  const m = results.machine;
  const out: string[] = [
    '# Trunkline benchmark report',
    '',
    `Run ${results.startedAt} → ${results.finishedAt} on ${m.cpus} × ${m.cpuModel}, Node ${m.node} (${m.platform})${m.loadAvg ? `, load average ${m.loadAvg[0].toFixed(1)} at start and ${m.loadAvg[1].toFixed(1)} at end` : ''}${results.quick ? ', **quick mode**' : ''}.`,
    'Every figure is the median over the runs listed, with its spread. A peer marked *reference* is quoted from a',
    'reference page and was not measured here; a *measured* peer ran on this machine in the same run.',
    '',
  ];
  for (const s of results.sections) {
    out.push(`## ${s.title}`, '', `Status: **${STATUS[s.status]}**${s.reason ? ` — ${s.reason}` : ''}${s.durationMs !== undefined ? ` (${Math.round(s.durationMs / 1000)} s)` : ''}`, '');
    if (s.figures.length) {
      out.push('| Figure | Median | Spread (min–max) | Runs | Peer |', '|---|---|---|---|---|');
      for (const f of s.figures) out.push(figureLine(f));
      out.push('');
    }
    for (const c of s.charts ?? []) {
      const file = `${s.id}-${c.id}.svg`;
      svgs.set(file, chartSvg(c as Chart));
      out.push(`![${c.title}](${file})`, '');
    }
    for (const n of s.notes ?? []) out.push(`- ${n}`);
    if (s.notes?.length) out.push('');
    const raw = s.detail === undefined ? '' : JSON.stringify(s.detail, null, 1);
    // Per-step detail, folded; very large detail stays in latest.json only.
    if (raw && raw.length <= MAX_DETAIL_CHARS) out.push('<details><summary>Detail</summary>', '', '```json', raw, '```', '', '</details>', '');
  }
  return { markdown: out.join('\n'), svgs };
}
