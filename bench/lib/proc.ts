import { readFileSync } from 'node:fs';

/**
 * CPU time and memory of another process from /proc (Linux, proc(5)). `utime`+`stime` (fields 14
 * and 15 of /proc/<pid>/stat, in clock ticks) cover every thread of the process; VmRSS is resident memory.
 */

/** USER_HZ: the unit of /proc/<pid>/stat times; 100 on every Linux ABI Node runs on. */
const CLK_TCK = 100;

export interface ProcSample {
  /** CPU seconds used so far (user + system). */
  readonly cpuSec: number;
  readonly rssBytes: number;
  /** Monotonic wall clock in seconds. */
  readonly wallSec: number;
}

/** Parses the utime+stime of a /proc/<pid>/stat line; the command name may hold spaces and parentheses. */
export function parseStatCpuSec(stat: string): number {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state): utime is field 14 → rest[11], stime field 15 → rest[12].
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('unexpected /proc/<pid>/stat format');
  return (utime + stime) / CLK_TCK;
}

export function parseStatusRss(status: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error('no VmRSS in /proc/<pid>/status');
  return Number(m[1]) * 1024;
}

export function sampleProc(pid: number): ProcSample {
  return {
    cpuSec: parseStatCpuSec(readFileSync(`/proc/${pid}/stat`, 'utf8')),
    rssBytes: parseStatusRss(readFileSync(`/proc/${pid}/status`, 'utf8')),
    wallSec: performance.now() / 1000,
  };
}
