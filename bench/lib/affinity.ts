import { execFileSync } from 'node:child_process';

/**
 * Moves this process (the bench orchestrator, which polls the gateway and parses captures) onto the
 * load generator's CPU so it never steals time from the gateway's; returns the function that puts
 * the previous affinity back.
 */
export function pinSelf(cpu: number): () => void {
  const pid = String(process.pid);
  let previous = '';
  try {
    previous = /:\s*(\S+)\s*$/.exec(execFileSync('taskset', ['-pc', pid], { encoding: 'utf8' }))?.[1] ?? '';
    execFileSync('taskset', ['-apc', String(cpu), pid], { stdio: 'ignore' });
  } catch {
    return () => {};
  }
  return () => {
    if (previous) execFileSync('taskset', ['-apc', previous, pid], { stdio: 'ignore' });
  };
}
