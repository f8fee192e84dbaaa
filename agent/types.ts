import type { Logger } from 'pino';
import type { Band } from '../codecs/types.ts';
import type { MediaLeg } from '../gateway/media/media-leg.ts';
import type { DtmfDigit } from '../gateway/media/dtmf.ts';
import type { CallPolicy } from './tools/call-policy.ts';

/**
 * How a blind transfer (SIP REFER, RFC 3515) went. `ok`: the target answered and the call is gone
 * (the agent is being stopped). Otherwise the call is back with the agent, which should apologise:
 * `refused` — the target is not on the allowlist (nothing was sent); `rejected` — the other side
 * refused the REFER; `failed` — the target did not answer (busy, declined…; `sipStatus` from the
 * NOTIFY's sipfrag); `timeout`; `unavailable` — the call is not in a state to transfer.
 */
export type TransferResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'refused' | 'rejected' | 'failed' | 'timeout' | 'unavailable'; readonly sipStatus?: number };

/** What an agent may ask of the call it serves. The call decides how (BYE, REFER…). */
export interface CallControl {
  /** Ends the call from our side (after the agent's goodbye has played). */
  hangup(reason: 'agent-hangup' | 'max-duration'): void;
  /** Sends DTMF digits to the caller's side. */
  sendDtmf(digits: readonly DtmfDigit[]): Promise<void>;
  /**
   * The agent cannot go on (its provider failed for good): the call stops it and starts the next agent
   * of the routing decision's fallback chain (ending with the local voice menu). Counted in metrics.
   */
  fallback(reason: string): void;
  /**
   * Blind transfer to `target` (a SIP URI that must be on `transfers.allowedTargets`): REFER in the
   * caller's dialog, then the NOTIFY progress. Resolves, never rejects; on success the call ends
   * `transferred`.
   */
  transfer(target: string): Promise<TransferResult>;
}

/** The call as an agent sees it: never the SIP layer (design §3), only media and plain facts. */
export interface AgentCallContext {
  readonly callId: string;
  readonly band: Band;
  /** Caller and dialed numbers: personal data, log only under `pii.*`. */
  readonly from: string;
  readonly dialed: string;
  /** Allow-listed inbound headers (UUI, X-…) as variables. */
  readonly variables: Readonly<Record<string, string>>;
  /**
   * The call's persona, tools (validate → guard → confirm → execute → audit), never-say guard and
   * transcript audit (agent/tools/call-policy.ts). Absent for calls routed without AI policy (tests).
   */
  readonly policy?: CallPolicy;
  /**
   * Set when this agent takes over from one that failed mid-call (CallControl.fallback): the caller
   * was talking to `kind`, so the new agent should apologise first (issue 4 §6).
   */
  readonly fallbackFrom?: { readonly kind: AgentSession['kind']; readonly reason: string };
  readonly leg: MediaLeg;
  readonly control: CallControl;
  readonly log: Logger;
}

/** Events the call forwards to its agent. */
export type AgentCallEvent = { readonly type: 'hold' } | { readonly type: 'resume' };

/**
 * One agent serving one call: the local voice menu, the cascade or speech-to-speech. The call owns
 * it: `start()` once media is up, `stop()` when the call ends (idempotent, releases everything).
 */
export interface AgentSession {
  readonly kind: 'menu' | 'cascade' | 's2s';
  start(): Promise<void>;
  notify(event: AgentCallEvent): void;
  stop(reason: string): Promise<void>;
}

/** Creates agent sessions; one per agent kind, built once at start-up by the composition root. */
export interface AgentFactory {
  readonly kind: AgentSession['kind'];
  /** Work that may start before answer (pre-warm), e.g. synthesising prompts or opening a socket. */
  create(ctx: AgentCallContext): AgentSession;
}
