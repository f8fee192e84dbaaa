import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeRtpPair, freeSipPort } from './ports.ts';

/**
 * Runs one bounded SIPp process (package sip-tester) and reports its exit code, its call counters
 * (from `-trace_stat`) and its logs. Each run gets its own temp directory so parallel runs never
 * share trace files.
 *
 * SIPp exit codes: 0 = every call succeeded, 1 = at least one failed, 97 = exit on internal command,
 * 99 = normal exit without calls processed, 255 = fatal error.
 */

export const SCENARIOS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../scenarios');

export interface SippOptions {
  /** host:port of the SIP peer (for a UAC); omit for a UAS scenario. */
  readonly target?: string;
  readonly transport?: 'udp' | 'tcp';
  /** Number of calls (-m), default 1. */
  readonly calls?: number;
  /** Hard bound for the whole run; SIPp gets `-timeout` a little below it and is SIGKILLed at it. */
  readonly timeoutMs?: number;
  /** Local SIP port (-p); a free one when omitted. */
  readonly localPort?: number;
  /** Local media port (-mp); a free even port when omitted. */
  readonly mediaPort?: number;
  /** Request-URI user (-s). */
  readonly service?: string;
  readonly extraArgs?: readonly string[];
  /** Local address for SIP and media (-i, -mi), e.g. 127.0.0.2 to act as a distinct source; default 127.0.0.1. */
  readonly localIp?: string;
}

export interface SippStats {
  readonly successful: number;
  readonly failed: number;
  readonly created: number;
}

export interface SippResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stats: SippStats | null;
  readonly errors: string;
  readonly messages: string;
  readonly stdout: string;
  readonly dir: string;
  /** Text for assertion messages: exit code, counters, the error log and the message trace tail. */
  describe(): string;
}

export interface SippProcess {
  readonly localPort: number;
  readonly mediaPort: number;
  readonly done: Promise<SippResult>;
  kill(): void;
}

function readIf(file: string): string {
  return existsSync(file) ? readFileSync(file, 'latin1') : '';
}

/** Parses the last row of SIPp's `;`-separated statistics CSV into the cumulative (C) counters. */
export function parseSippStats(csv: string): SippStats | null {
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  if (lines.length < 2) return null;
  const header = (lines[0] ?? '').split(';');
  const last = (lines[lines.length - 1] ?? '').split(';');
  const get = (name: string): number => {
    const i = header.indexOf(name);
    return i >= 0 ? Number(last[i] ?? 'NaN') : NaN;
  };
  return { successful: get('SuccessfulCall(C)'), failed: get('FailedCall(C)'), created: get('TotalCallCreated') };
}

/** Starts SIPp; `done` resolves when it exits (or is killed at `timeoutMs`). */
export async function startSipp(scenario: string, opts: SippOptions = {}): Promise<SippProcess> {
  const dir = mkdtempSync(path.join(tmpdir(), 'trunkline-sipp-'));
  const scenarioFile = path.isAbsolute(scenario) ? scenario : path.join(SCENARIOS_DIR, scenario);
  const localPort = opts.localPort ?? (await freeSipPort());
  const mediaPort = opts.mediaPort ?? (await freeRtpPair());
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const calls = opts.calls ?? 1;
  const args = [
    ...(opts.target ? [opts.target] : []),
    '-sf', scenarioFile,
    '-t', opts.transport === 'tcp' ? 't1' : 'u1',
    '-i', opts.localIp ?? '127.0.0.1', '-p', String(localPort),
    '-mi', opts.localIp ?? '127.0.0.1', '-mp', String(mediaPort),
    '-m', String(calls), '-l', String(calls),
    '-timeout', `${Math.max(1, Math.floor(timeoutMs / 1000) - 1)}s`, '-timeout_error',
    '-nostdin',
    '-trace_stat', '-stf', path.join(dir, 'stat.csv'),
    '-trace_err', '-error_file', path.join(dir, 'errors.log'),
    '-trace_msg', '-message_file', path.join(dir, 'messages.log'),
    ...(opts.service ? ['-s', opts.service] : []),
    ...(opts.extraArgs ?? []),
  ];
  const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => {
    // Keep only the tail: SIPp redraws its screen, the last one is the summary.
    stdout = (stdout + d.toString('latin1')).slice(-20_000);
  });
  child.stderr.on('data', (d: Buffer) => {
    stdout = (stdout + d.toString('latin1')).slice(-20_000);
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<SippResult>((resolve) => {
    child.on('exit', (exitCode, signal) => {
      clearTimeout(killer);
      const errors = readIf(path.join(dir, 'errors.log'));
      const messages = readIf(path.join(dir, 'messages.log'));
      const stats = parseSippStats(readIf(path.join(dir, 'stat.csv')));
      resolve({
        exitCode,
        signal,
        stats,
        errors,
        messages,
        stdout,
        dir,
        describe: () =>
          [
            `sipp ${path.basename(scenarioFile)} exit=${exitCode} signal=${signal} stats=${JSON.stringify(stats)} dir=${dir}`,
            `--- errors ---\n${errors.slice(-4000)}`,
            `--- messages (tail) ---\n${messages.slice(-6000)}`,
            `--- screen (tail) ---\n${stdout.slice(-3000)}`,
          ].join('\n'),
      });
    });
  });
  return { localPort, mediaPort, done, kill: () => child.kill('SIGKILL') };
}

/** Runs a SIPp scenario to completion. */
export async function runSipp(scenario: string, opts: SippOptions = {}): Promise<SippResult> {
  const p = await startSipp(scenario, opts);
  return p.done;
}
