import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BENCH_DIR } from './lib/plugged.ts';
import { performanceTable, replaceBetweenMarkers } from './lib/readme-table.ts';
import type { BenchResults } from './types.ts';

/**
 * Regenerates README.md's performance table from bench/results/latest.json without re-running the
 * benchmarks (`make bench` does this itself at the end): node --import tsx bench/update-readme.ts
 */
const readme = path.join(BENCH_DIR, '..', 'README.md');
const results = JSON.parse(readFileSync(path.join(BENCH_DIR, 'results', 'latest.json'), 'utf8')) as BenchResults;
writeFileSync(readme, replaceBetweenMarkers(readFileSync(readme, 'utf8'), performanceTable(results)));
console.log('updated the performance table in README.md');
