import type { CallRegistry } from './call/call-registry.ts';
import type { Logger } from './log.ts';

/** How long the BYEs of calls ended by the drain may take before the process goes on (Timer F is 32 s). */
const BYE_GRACE_MS = 4000;

/** Resolves with `p` or after `ms`, whichever comes first; the timer never outlives the race. */
async function within(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

/**
 * The second half of a drain (SIGTERM): new INVITEs already get 503 and /healthz 503. Calls in
 * progress go on until they end or `maxMs` passes; those still up then are ended with a proper
 * BYE (RFC 3261 §15.1.1) — or 503 when not yet answered — and given a moment for it to go out.
 * Resolves once no call is left (or the BYE grace has passed).
 */
export async function drainCalls(registry: CallRegistry, maxMs: number, log: Logger): Promise<void> {
  await within(registry.whenEmpty(), maxMs);
  const left = registry.all();
  if (left.length === 0) return;
  log.info({ calls: left.length }, 'drain window over, ending calls');
  const byes = left.map(async (call) => {
    const dialog = call.dialog;
    call.end({ result: 'shutdown', reason: 'drain window over' });
    if (dialog.state === 'early') dialog.reject(503, 'Service Unavailable', { 'Retry-After': '30' });
    else await dialog.bye({ Reason: 'SIP;cause=503;text="Gateway restarting"' }).catch(() => undefined);
  });
  await within(Promise.allSettled(byes), BYE_GRACE_MS);
}
