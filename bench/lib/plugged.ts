import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Figure, Section, SectionContext, SectionResult } from '../types.ts';

/**
 * A section whose code another issue writes: `bench/<file>` exporting `<fn>(ctx?)`, which returns
 * `Figure[]` or a `SectionResult` (anything else is kept as `detail`). Until the file exists the
 * section reports "not yet available"; the registry in run.ts never changes when it lands.
 */

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function isFigure(x: unknown): x is Figure {
  return typeof x === 'object' && x !== null && typeof (x as Figure).key === 'string' && typeof (x as Figure).unit === 'string' && 'median' in x;
}

/** Turns whatever a plugged benchmark returned into a SectionResult. */
export function adaptResult(id: string, title: string, value: unknown): SectionResult {
  if (Array.isArray(value)) {
    const figures = value.filter(isFigure);
    return { id, title, status: figures.length ? 'ok' : 'partial', figures, ...(figures.length < value.length ? { detail: value } : {}) };
  }
  if (typeof value === 'object' && value !== null && Array.isArray((value as SectionResult).figures)) {
    const r = value as Partial<SectionResult>;
    return { ...r, id, title: r.title ?? title, status: r.status ?? 'ok', figures: (r.figures ?? []).filter(isFigure) };
  }
  return { id, title, status: 'partial', reason: 'the benchmark returned no figures in the shared format (bench/types.ts)', figures: [], detail: value };
}

export function pluggedSection(id: string, title: string, file: string, fn: string, budgetMs: number): Section {
  return {
    id,
    title,
    budgetMs,
    async run(ctx: SectionContext): Promise<SectionResult> {
      const full = path.join(BENCH_DIR, file);
      if (!existsSync(full)) return { id, title, status: 'not-available', reason: `not yet available (bench/${file} does not exist yet)`, figures: [] };
      const mod = (await import(pathToFileURL(full).href)) as Record<string, unknown>;
      const f = mod[fn];
      if (typeof f !== 'function') return { id, title, status: 'not-available', reason: `not yet available (bench/${file} does not export ${fn}())`, figures: [] };
      return adaptResult(id, title, await (f as (c: SectionContext) => Promise<unknown>)(ctx));
    },
  };
}
