/**
 * What every benchmark section returns. A figure is one number with its unit, the median and the
 * spread over several runs, and — where one exists — a peer beside it: measured in the same run
 * (`kind: 'measured'`) or quoted from a reference page (`kind: 'reference'`, never presented as ours).
 *
 * Sections written by other issues (bench/codecs.ts `runCodecBench()`, bench/vad.ts `runVadBench()`,
 * turn latency, barge-in) return `Figure[]` or a whole `SectionResult`; run.ts adapts either.
 */

export interface Spread {
  readonly min: number;
  readonly max: number;
  /** Interquartile range bounds (equal to min/max for fewer than 4 runs). */
  readonly p25: number;
  readonly p75: number;
  readonly n: number;
}

export interface Peer {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly kind: 'measured' | 'reference';
  /** Where a reference figure comes from (a page or document), or how a measured one was taken. */
  readonly source?: string;
}

export interface Figure {
  /** Stable id, dotted: `calls-per-core.g711.max-calls`. The README table selects figures by it. */
  readonly key: string;
  readonly label: string;
  readonly unit: string;
  /** null when the section could not measure it (the reason goes in `note`). */
  readonly median: number | null;
  readonly spread?: Spread;
  readonly runs?: readonly number[];
  readonly peer?: Peer;
  readonly better?: 'higher' | 'lower';
  readonly note?: string;
}

export interface LineChart {
  readonly kind: 'line';
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly { readonly name: string; readonly points: readonly (readonly [number, number])[] }[];
  /** A horizontal limit line (e.g. the 5 ms p99 budget). */
  readonly limit?: { readonly y: number; readonly label: string };
}

export interface BarChart {
  readonly kind: 'bar';
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly bars: readonly { readonly label: string; readonly value: number; readonly peer?: boolean }[];
}

export type Chart = LineChart | BarChart;

export type SectionStatus = 'ok' | 'partial' | 'failed' | 'not-available';

export interface SectionResult {
  readonly id: string;
  readonly title: string;
  readonly status: SectionStatus;
  /** Why a section failed or is not available (printed, never fatal). */
  readonly reason?: string;
  readonly figures: readonly Figure[];
  readonly charts?: readonly Chart[];
  /** Free-form lines for the report (method, caveats). */
  readonly notes?: readonly string[];
  /** Section-specific detail kept in latest.json (per-step tables and the like). */
  readonly detail?: unknown;
  readonly durationMs?: number;
}

export interface SectionContext {
  /** Hard deadline (ms since epoch) for this section; sections bound their loops by it. */
  readonly deadline: number;
  /** Quick mode (BENCH_QUICK=1): fewer steps and runs, for trying the harness. */
  readonly quick: boolean;
  log(line: string): void;
}

export interface Section {
  readonly id: string;
  readonly title: string;
  /** Upper bound for the section's wall time. */
  readonly budgetMs: number;
  run(ctx: SectionContext): Promise<SectionResult>;
}

export interface BenchResults {
  readonly schema: 1;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: {
    readonly cpus: number;
    readonly cpuModel: string;
    readonly node: string;
    readonly platform: string;
    /** 1-minute load average at start and end: other work on a shared machine makes figures noisy. */
    readonly loadAvg?: readonly [number, number];
  };
  readonly quick: boolean;
  readonly sections: readonly SectionResult[];
}
