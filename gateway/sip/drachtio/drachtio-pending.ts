import type { SrfRequest } from './drachtio-wire.ts';

/**
 * What drachtio-srf 5.0.29 keeps for an INVITE from the network (lib/drachtio-agent.js): per
 * drachtio-server connection (`agent.mapServer.get(socket)`), `pendingNetworkInvites`, keyed by
 * Call-ID, holding the req/res "until a final response is generated" — deleted only when the app
 * sends one or a CANCEL comes. Not part of its API, so reached only through this file.
 */
interface SrfAgentInternals {
  readonly mapServer?: Map<unknown, { readonly pendingNetworkInvites?: Map<string, unknown> }>;
}

/**
 * Makes drachtio-srf forget an INVITE we drop without any answer (drachtio-admission.ts). Without
 * this each dropped INVITE stays in that map for the life of the connection: a flood of dropped
 * INVITEs grew the gateway's memory without bound. Returns whether an entry was removed; false when
 * drachtio-srf is not shaped as expected (then only the memory is at stake, never a call).
 */
export function forgetUnanswered(req: SrfRequest): boolean {
  try {
    const r = req as unknown as { agent?: SrfAgentInternals; socket?: unknown };
    const pending = r.agent?.mapServer?.get(r.socket)?.pendingNetworkInvites;
    const callId = req.get('Call-ID');
    if (!(pending instanceof Map) || callId === undefined) return false;
    return pending.delete(callId);
  } catch {
    return false;
  }
}

/** How many INVITEs drachtio-srf holds unanswered, over all its connections (tests, diagnostics). */
export function unansweredCount(agent: unknown): number {
  let n = 0;
  for (const obj of (agent as SrfAgentInternals | undefined)?.mapServer?.values() ?? []) n += obj.pendingNetworkInvites?.size ?? 0;
  return n;
}
