import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readUdpPcap, type UdpRecord } from './pcap.ts';

/**
 * A bounded packet capture on the loopback interface with tcpdump (kernel timestamps: what the wire
 * saw, independent of how busy any Node process is). Only headers are kept (snap length 64: Ethernet
 * 14 + IPv4 20 + UDP 8 + RTP 12 fit), in a large kernel buffer so the capture itself drops nothing;
 * tcpdump's own "dropped by kernel" count is returned so a lossy capture is never mistaken for a
 * lossy gateway.
 */

export interface Capture {
  readonly records: UdpRecord[];
  readonly kernelDrops: number;
}

export interface RunningCapture {
  stop(): Promise<Capture>;
}

export async function startCapture(filter: string, opts: { cpu?: number; maxMs?: number } = {}): Promise<RunningCapture> {
  const dir = mkdtempSync(path.join(tmpdir(), 'trunkline-cap-'));
  const file = path.join(dir, 'cap.pcap');
  const args = ['-i', 'lo', '-n', '-s', '64', '-B', '32768', '-Z', 'root', '-w', file, filter];
  const cmd = opts.cpu === undefined ? 'tcpdump' : 'taskset';
  const child = spawn(cmd, opts.cpu === undefined ? args : ['-c', String(opts.cpu), 'tcpdump', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exit = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.on('error', () => resolve(-1));
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), opts.maxMs ?? 120_000);
  // Ready once tcpdump says it is listening (bounded).
  const t0 = Date.now();
  while (!/listening on/.test(stderr) && Date.now() - t0 < 5000 && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  if (!/listening on/.test(stderr)) {
    child.kill('SIGKILL');
    clearTimeout(killer);
    throw new Error(`tcpdump did not start: ${stderr.trim() || 'no output'} (is it installed? make bench installs it)`);
  }
  return {
    stop: async () => {
      child.kill('SIGINT');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(t);
      clearTimeout(killer);
      const m = /(\d+) packets? dropped by kernel/.exec(stderr);
      let records: UdpRecord[] = [];
      try {
        records = readUdpPcap(readFileSync(file));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      return { records, kernelDrops: m ? Number(m[1]) : NaN };
    },
  };
}
