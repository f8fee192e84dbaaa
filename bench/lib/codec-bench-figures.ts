import type { Figure } from '../types.ts';

/**
 * Adapter for the codec issue's `runCodecBench()` (bench/codecs.ts), which returns its own plain
 * object: `{ codecs: { <name>: { encode: { xRealtime }, decode: { xRealtime }, callsPerCore, ffmpeg? } },
 * resampler: { '<a>→<b>': { throughput: { xRealtime }, delayMs } } }`. Turns it into Figures (bench/
 * types.ts) so they reach latest.json and the report; the object itself is kept as detail. Each value
 * there is a best of its own runs, so a figure carries it as the median of one (n = 1). Anything
 * already in the shared format is passed through untouched.
 */

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const num = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);
const slug = (s: string): string => s.toLowerCase().replace(/→/g, '-to-').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

function one(key: string, label: string, unit: string, v: number, peer?: number): Figure {
  return {
    key,
    label,
    unit,
    median: v,
    spread: { min: v, max: v, p25: v, p75: v, n: 1 },
    runs: [v],
    better: 'higher',
    ...(peer !== undefined ? { peer: { name: 'ffmpeg', value: peer, unit, kind: 'measured' as const, source: 'bench/codecs.ts: wall time of the ffmpeg process on the same input, same run' } } : {}),
  };
}

export function codecBenchFigures(raw: unknown): Figure[] {
  if (!isObj(raw)) return [];
  const out: Figure[] = [];
  if (isObj(raw.codecs)) {
    for (const [name, c] of Object.entries(raw.codecs)) {
      if (!isObj(c)) continue;
      const ff = isObj(c.ffmpeg) ? c.ffmpeg : undefined;
      for (const dir of ['encode', 'decode'] as const) {
        const v = isObj(c[dir]) ? num((c[dir] as Obj).xRealtime) : undefined;
        const p = ff && isObj(ff[dir]) ? num((ff[dir] as Obj).xRealtime) : undefined;
        if (v !== undefined) out.push(one(`codec-speed.codecs.${slug(name)}.${dir}`, `${name} ${dir} (bench/codecs.ts, synthetic speech)`, '× real time', v, p));
      }
      const calls = num(c.callsPerCore);
      if (calls !== undefined) out.push(one(`codec-speed.codecs.${slug(name)}.calls-per-core`, `${name}: codec-only calls per core`, 'calls', calls));
    }
  }
  if (isObj(raw.resampler)) {
    for (const [pair, r] of Object.entries(raw.resampler)) {
      const v = isObj(r) && isObj(r.throughput) ? num(r.throughput.xRealtime) : undefined;
      if (v !== undefined) out.push(one(`codec-speed.resampler.${slug(pair)}`, `resampler ${pair}`, '× real time', v));
    }
  }
  return out;
}

/** What codec-speed.ts hands to adaptResult: the shared format when given, else the converted figures. */
export function asCodecBenchResult(raw: unknown): unknown {
  if (Array.isArray(raw) || (isObj(raw) && Array.isArray(raw.figures))) return raw;
  const figures = codecBenchFigures(raw);
  return figures.length ? { figures, detail: raw } : raw;
}
