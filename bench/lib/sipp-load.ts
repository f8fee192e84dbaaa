import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseSippStats, type SippStats } from '../../tests/integration/harness/sipp.ts';
import { freeRtpPair, freeSipPort } from '../../tests/integration/harness/ports.ts';

/**
 * One SIPp load run, pinned with taskset to a CPU, bounded in time: `calls` calls at `rate` per
 * second, at most `calls` at once. Returns SIPp's counters and, with `rtt`, every INVITE→200
 * response time SIPp measured (`-trace_rtt -rtt_freq 1`: `<scenario>_<pid>_rtt.csv`, one row per
 * call: date_ms;response_time_ms;rtd_no).
 */

export interface SippLoadOptions {
  readonly target: string;
  readonly scenarioXml: string;
  readonly calls: number;
  readonly rate: number;
  readonly cpu: number;
  readonly timeoutMs: number;
  readonly rtt?: boolean;
}

export interface SippLoadResult {
  readonly exitCode: number | null;
  readonly stats: SippStats | null;
  /** INVITE → 200 OK response times, ms. */
  readonly rttMs: number[];
  readonly errorsTail: string;
}

export interface RunningSipp {
  readonly done: Promise<SippLoadResult>;
  kill(): void;
}

/** Response times (ms) from SIPp's rtt CSV. */
export function parseRttCsv(csv: string): number[] {
  const out: number[] = [];
  for (const line of csv.split('\n')) {
    const cols = line.split(';');
    const v = Number(cols[1]);
    if (cols.length >= 2 && /^\d/.test(cols[0] ?? '') && Number.isFinite(v)) out.push(v);
  }
  return out;
}

export async function startSippLoad(o: SippLoadOptions): Promise<RunningSipp> {
  const dir = mkdtempSync(path.join(tmpdir(), 'trunkline-bench-sipp-'));
  const sf = path.join(dir, 'load.xml');
  writeFileSync(sf, o.scenarioXml);
  const args = [
    '-c', String(o.cpu), 'sipp', o.target,
    '-sf', sf, '-t', 'u1',
    '-i', '127.0.0.1', '-p', String(await freeSipPort()),
    '-mi', '127.0.0.1', '-mp', String(await freeRtpPair()),
    '-s', 'trunkline',
    '-r', String(o.rate), '-rp', '1000', '-m', String(o.calls), '-l', String(o.calls),
    '-timeout', `${Math.max(2, Math.floor(o.timeoutMs / 1000) - 2)}s`, '-timeout_error',
    '-nostdin',
    '-trace_stat', '-stf', path.join(dir, 'stat.csv'), '-fd', '1',
    '-trace_err', '-error_file', path.join(dir, 'errors.log'),
    ...(o.rtt ? ['-trace_rtt', '-rtt_freq', '1'] : []),
  ];
  const child = spawn('taskset', args, { cwd: dir, stdio: ['ignore', 'ignore', 'ignore'] });
  const killer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs);
  const done = new Promise<SippLoadResult>((resolve) => {
    child.on('exit', (exitCode) => {
      clearTimeout(killer);
      const read = (f: string): string => (existsSync(f) ? readFileSync(f, 'latin1') : '');
      const rttFile = readdirSync(dir).find((f) => f.endsWith('_rtt.csv'));
      const result: SippLoadResult = {
        exitCode,
        stats: parseSippStats(read(path.join(dir, 'stat.csv'))),
        rttMs: rttFile ? parseRttCsv(read(path.join(dir, rttFile))) : [],
        errorsTail: read(path.join(dir, 'errors.log')).slice(-1500),
      };
      rmSync(dir, { recursive: true, force: true });
      resolve(result);
    });
  });
  return { done, kill: () => child.kill('SIGKILL') };
}
