import type { BarChart, Chart, LineChart } from '../types.ts';

/**
 * Small self-contained SVG charts (no dependencies): a line chart with optional limit line and a
 * horizontal bar chart with peers drawn in grey. Text is escaped; sizes are fixed so reports diff well.
 */

const W = 640;
const H = 320;
const M = { left: 64, right: 150, top: 36, bottom: 48 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

/** "Nice" axis ticks from 0 to at least `max` (1, 2, 5 × 10^k steps). */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const ticks: number[] = [];
  for (let v = 0; v <= max + step * 1e-9 && ticks.length <= count + 2; v += step) ticks.push(Number(v.toPrecision(12)));
  if ((ticks[ticks.length - 1] ?? 0) < max) ticks.push(Number(((ticks.length) * step).toPrecision(12)));
  return ticks;
}

function fmt(v: number): string {
  return Math.abs(v) >= 1000 ? String(Math.round(v)) : String(Number(v.toPrecision(3)));
}

export function lineChartSvg(c: LineChart): string {
  const pts = c.series.flatMap((s) => s.points);
  const xTicks = niceTicks(Math.max(1, ...pts.map((p) => p[0])));
  const yTicks = niceTicks(Math.max(c.limit?.y ?? 0, ...pts.map((p) => p[1]), 1e-9) * 1.05);
  const xMax = xTicks[xTicks.length - 1] ?? 1;
  const yMax = yTicks[yTicks.length - 1] ?? 1;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (v: number): number => M.left + (v / xMax) * pw;
  const y = (v: number): number => M.top + ph - (Math.min(v, yMax) / yMax) * ph;
  const out: string[] = [header(c.title)];
  for (const t of yTicks) {
    out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${M.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${fmt(t)}</text>`);
  }
  for (const t of xTicks) out.push(`<text x="${x(t).toFixed(1)}" y="${M.top + ph + 16}" text-anchor="middle">${fmt(t)}</text>`);
  out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${M.top + ph}" y2="${M.top + ph}" stroke="#333"/>`);
  out.push(`<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + ph}" stroke="#333"/>`);
  out.push(`<text x="${M.left + pw / 2}" y="${H - 10}" text-anchor="middle">${escapeXml(c.xLabel)}</text>`);
  out.push(`<text transform="translate(14 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(c.yLabel)}</text>`);
  if (c.limit) {
    const ly = y(c.limit.y).toFixed(1);
    out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${ly}" y2="${ly}" stroke="#999" stroke-dasharray="6 4"/>`);
    out.push(`<text x="${M.left + pw + 6}" y="${ly}" fill="#666">${escapeXml(c.limit.label)}</text>`);
  }
  c.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length] ?? '#000';
    const sorted = [...s.points].sort((a, b) => a[0] - b[0]);
    if (sorted.length > 1) {
      const d = sorted.map((p, j) => `${j ? 'L' : 'M'}${x(p[0]).toFixed(1)} ${y(p[1]).toFixed(1)}`).join(' ');
      out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);
    }
    for (const p of sorted) out.push(`<circle cx="${x(p[0]).toFixed(1)}" cy="${y(p[1]).toFixed(1)}" r="3" fill="${color}"/>`);
    out.push(`<rect x="${M.left + pw + 8}" y="${M.top + 24 + i * 18}" width="10" height="10" fill="${color}"/>`);
    out.push(`<text x="${M.left + pw + 22}" y="${M.top + 33 + i * 18}">${escapeXml(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

export function barChartSvg(c: BarChart): string {
  const rowH = 24;
  const height = M.top + c.bars.length * rowH + 36;
  const labelW = 220;
  const pw = W - labelW - 80;
  const max = Math.max(1e-9, ...c.bars.map((b) => b.value));
  const out: string[] = [header(c.title, height)];
  c.bars.forEach((b, i) => {
    const y0 = M.top + i * rowH;
    const w = Math.max(1, (b.value / max) * pw);
    out.push(`<text x="${labelW - 8}" y="${y0 + 15}" text-anchor="end">${escapeXml(b.label)}</text>`);
    out.push(`<rect x="${labelW}" y="${y0 + 3}" width="${w.toFixed(1)}" height="${rowH - 8}" fill="${b.peer ? '#aaaaaa' : COLORS[0]}"/>`);
    out.push(`<text x="${(labelW + w + 6).toFixed(1)}" y="${y0 + 15}">${fmt(b.value)} ${escapeXml(c.unit)}</text>`);
  });
  out.push(`<text x="${labelW}" y="${height - 10}" fill="#666">grey: peer</text>`);
  out.push('</svg>');
  return out.join('\n');
}

function header(title: string, height = H): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${height}" fill="#fff"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  ].join('\n');
}

export function chartSvg(c: Chart): string {
  return c.kind === 'line' ? lineChartSvg(c) : barChartSvg(c);
}
