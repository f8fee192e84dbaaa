import assert from 'node:assert/strict';
import { test } from 'node:test';
import { END, performanceTable, replaceBetweenMarkers, START } from '../../../../bench/lib/readme-table.ts';
import { renderReport } from '../../../../bench/lib/report.ts';
import { barChartSvg, escapeXml, lineChartSvg, niceTicks } from '../../../../bench/lib/svg.ts';
import type { BenchResults } from '../../../../bench/types.ts';

test('niceTicks covers the maximum with 1-2-5 steps', () => {
  assert.deepEqual(niceTicks(9.3), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(niceTicks(300), [0, 100, 200, 300]);
  assert.deepEqual(niceTicks(0), [0, 1]);
});

test('line and bar charts are well-formed SVG with escaped text', () => {
  const svg = lineChartSvg({ kind: 'line', id: 'x', title: 'p99 <ms> & more', xLabel: 'calls', yLabel: 'ms', series: [{ name: 'G.711', points: [[50, 1], [100, 2], [200, 7]] }], limit: { y: 5, label: '5 ms' } });
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>$/);
  assert.ok(svg.includes('p99 &lt;ms&gt; &amp; more'));
  assert.equal((svg.match(/<circle /g) ?? []).length, 3);
  assert.ok(svg.includes('stroke-dasharray'));
  assert.ok(/<path d="M[\d.]+ [\d.]+ L[\d.]+ [\d.]+ L/.test(svg));
  const bar = barChartSvg({ kind: 'bar', id: 'b', title: 't', unit: 'calls', bars: [{ label: 'ours', value: 300 }, { label: 'FreeSWITCH', value: 200, peer: true }] });
  assert.equal((bar.match(/<rect x="220"/g) ?? []).length, 2);
  assert.ok(bar.includes('#aaaaaa'));
  assert.equal(escapeXml(`"a'`), '&quot;a&apos;');
});

const results: BenchResults = {
  schema: 1,
  startedAt: '2025-01-02T03:04:05.000Z',
  finishedAt: '2025-01-02T03:14:05.000Z',
  machine: { cpus: 2, cpuModel: 'Test CPU', node: '20.0.0', platform: 'linux' },
  quick: false,
  sections: [
    {
      id: 'calls-per-core', title: 'Calls per core', status: 'ok',
      figures: [
        { key: 'calls-per-core.PCMA.max-calls', label: 'G.711 calls per core', unit: 'calls', median: 300, spread: { min: 300, max: 300, p25: 300, p75: 300, n: 3 }, peer: { name: 'FreeSWITCH', value: 200, unit: 'calls', kind: 'reference' } },
        { key: 'other.figure', label: 'not in README', unit: 'x', median: 1 },
      ],
      charts: [{ kind: 'bar', id: 'max', title: 'Max', unit: 'calls', bars: [{ label: 'a', value: 1 }] }],
    },
  ],
};

test('the README table shows the selected figures and labels reference peers', () => {
  const t = performanceTable(results);
  assert.match(t, /\| G\.711 calls per core \| 300 calls \| 300–300 \(n=3\) \| 200 calls — FreeSWITCH \(reference, not measured here\) \|/);
  assert.ok(!t.includes('not in README'));
  assert.match(t, /2 × Test CPU, Node 20\.0\.0/);
});

test('replaceBetweenMarkers rewrites only the marked block, and is idempotent', () => {
  const readme = `# T\n\nintro\n${START}\nold\n${END}\n\ntail\n`;
  const once = replaceBetweenMarkers(readme, 'NEW');
  assert.equal(once, `# T\n\nintro\n${START}\nNEW\n${END}\n\ntail\n`);
  assert.equal(replaceBetweenMarkers(once, 'NEW'), once);
  assert.throws(() => replaceBetweenMarkers('# no markers', 'x'), /no "<!-- bench:start -->"/);
  assert.throws(() => replaceBetweenMarkers(`${END}\n${START}`, 'x'));
});

test('the report lists every figure and links one SVG per chart', () => {
  const r = renderReport(results);
  assert.ok(r.markdown.includes('## Calls per core'));
  assert.ok(r.markdown.includes('*reference figure, not measured in this run*'));
  assert.ok(r.markdown.includes('![Max](calls-per-core-max.svg)'));
  assert.deepEqual([...r.svgs.keys()], ['calls-per-core-max.svg']);
});
