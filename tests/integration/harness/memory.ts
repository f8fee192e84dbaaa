import type { Gateway } from './gateway.ts';

/** Start a gateway with this env to let /debug/memory collect garbage before measuring. */
export const GC_ENV = { NODE_OPTIONS: '--expose-gc' } as const;

export interface MemorySample {
  readonly rss: number;
  readonly heapUsed: number;
  /** Whether a full GC ran first (the gateway runs with --expose-gc). */
  readonly collected: boolean;
}

/** The gateway's memory after a full collection (GET /debug/memory). */
export async function gatewayMemory(gw: Gateway): Promise<MemorySample> {
  const res = await fetch(`http://127.0.0.1:${gw.httpPort}/debug/memory`, { signal: AbortSignal.timeout(5000) });
  if (res.status !== 200) throw new Error(`/debug/memory answered ${res.status}`);
  return (await res.json()) as MemorySample;
}

export const MB = 1024 * 1024;
