import type { AgentSession } from '../../agent/types.ts';
import type { MediaLeg } from '../media/media-leg.ts';
import type { TerminationDetail } from '../sip/termination.ts';

/**
 * A call's life as a discriminated union (design §2): what exists in each state is in the type, so
 * an `agent` state always has a leg and an agent, and `ended` always has its termination.
 *
 *   offered ──▶ answering ──▶ connected ──▶ agent ──▶ transferring ──▶ ended
 *      │            │             │           │                        ▲
 *      └────────────┴─────────────┴───────────┴────────────────────────┘
 */
export type CallState =
  | { readonly status: 'offered'; readonly since: number }
  | { readonly status: 'answering'; readonly since: number; readonly leg: MediaLeg; readonly agent: AgentSession }
  | { readonly status: 'connected'; readonly since: number; readonly leg: MediaLeg; readonly agent: AgentSession; readonly answeredAt: number }
  | { readonly status: 'agent'; readonly since: number; readonly leg: MediaLeg; readonly agent: AgentSession; readonly answeredAt: number }
  | { readonly status: 'transferring'; readonly since: number; readonly leg: MediaLeg; readonly agent: AgentSession; readonly answeredAt: number }
  | { readonly status: 'ended'; readonly since: number; readonly termination: TerminationDetail; readonly answeredAt: number | undefined };

export type CallStatus = CallState['status'];

/** Transitions the call allows; anything else is a bug and is refused loudly. */
const NEXT: Readonly<Record<CallStatus, readonly CallStatus[]>> = {
  offered: ['answering', 'ended'],
  answering: ['connected', 'ended'],
  connected: ['agent', 'transferring', 'ended'],
  // agent → agent: a fallback replaced a failed agent with the next one of the chain.
  agent: ['agent', 'transferring', 'ended'],
  transferring: ['agent', 'ended'],
  ended: [],
};

export function canTransition(from: CallStatus, to: CallStatus): boolean {
  return NEXT[from].includes(to);
}
