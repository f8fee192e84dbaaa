import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from './gateway.ts';

/**
 * Runs a harness script in a fresh network namespace with only loopback (`unshare -n`, or `-rn`
 * without root): whatever the gateway is told to send to foreign hosts (SDP of torture messages)
 * cannot leave the machine. Returns whether the script exited 0, with its output.
 */
export function runIsolated(script: string, args: readonly string[], timeoutMs: number): { ok: boolean; detail: string } {
  const quoted = args.map((a) => `"${a}"`).join(' ');
  const inner = `ip link set lo up && exec "${process.execPath}" --import tsx ${script} ${quoted}`;
  for (const flags of [['-n'], ['-r', '-n']]) {
    if (spawnSync('unshare', [...flags, 'true']).status !== 0) continue;
    const r = spawnSync('unshare', [...flags, 'sh', '-c', inner], { cwd: REPO_ROOT, timeout: timeoutMs, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    return { ok: r.status === 0, detail: `unshare ${flags.join(' ')}: status=${r.status} signal=${r.signal}\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}` };
  }
  return { ok: false, detail: 'no network namespace available (unshare -n / -rn failed)' };
}
