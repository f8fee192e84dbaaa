import type { AgentCallContext, AgentSession } from '../../agent/types.ts';
import type { Band } from '../../codecs/types.ts';
import { maxCallSec } from '../../policies/limits.ts';
import type { MediaLeg } from '../media/media-leg.ts';
import type { SipDialog } from '../sip/dialog.ts';
import type { Call } from './call.ts';
import { guardEmitter, type CallGuard } from './call-guard.ts';
import type { CallRunnerDeps } from './call-runner.ts';
import { fallBack, type Hangup } from './call-wiring.ts';
import type { CallRoute } from './choose-agents.ts';
import { handleIncomingRefer } from './incoming-refer.ts';
import type { MediaPlan } from './media-plan.ts';
import { ReinviteHandler } from './reinvite.ts';
import { transferCall } from './transfer.ts';

/** What one call's agent and connection are built from (shared by the offer and late-offer paths). */
export interface CallParts {
  readonly call: Call;
  readonly dialog: SipDialog;
  readonly deps: CallRunnerDeps;
  readonly guard: CallGuard;
  readonly hangup: Hangup;
  readonly routed: CallRoute | undefined;
  /** Timers cleared when the call ends. */
  readonly timers: NodeJS.Timeout[];
}

/**
 * Creates the call's first agent over its leg, with its control and the fallback chain (routing
 * policy). Undefined when no agent serves the call; a factory that throws closes the leg and throws.
 */
export function createCallAgent(p: CallParts, leg: MediaLeg, band: Band): AgentSession | undefined {
  const { call, dialog, deps, guard, hangup, routed } = p;
  const chain = routed?.action === 'agent' ? [...routed.agents] : [...deps.agentsFor(dialog.info, band)];
  const ended = new AbortController();
  call.on('state', (st) => st.status === 'ended' && ended.abort());
  const control: AgentCallContext['control'] = {
    hangup: guard.wrap('agent-control', (r) => hangup(r)),
    sendDtmf: guard.wrap('agent-control', (digits) => leg.sendDtmf(digits), false),
    fallback: guard.wrap('agent-control', (reason) => fallBack(call, chain, ctx, reason, hangup)),
    transfer: guard.wrap('transfer', (target) => transferCall(call, target, deps.config.transfers, deps.auditFor?.(call.id)), false),
  };
  // The agent sees the leg through a view whose listeners are guarded (a throwing 'dtmf' handler
  // must not throw into the RTP receive path, nor reach the process handler).
  const agentLeg = guardEmitter(leg, guard, 'agent');
  const policy = routed?.action === 'agent' && deps.policyFor ? deps.policyFor(routed, { callId: call.id, leg: agentLeg, control, log: call.log, signal: ended.signal }) : undefined;
  const ctx: AgentCallContext = {
    callId: call.id,
    band,
    from: dialog.info.from,
    dialed: dialog.info.dialed,
    variables: routed?.action === 'agent' ? routed.variables : dialog.info.headers,
    leg: agentLeg,
    log: call.log,
    control,
    ...(policy ? { policy } : {}),
  };
  const first = chain.shift();
  if (!first) return undefined;
  try {
    return first.create(ctx);
  } catch (err) {
    leg.close('agent-failed');
    throw err;
  }
}

/**
 * The call is answered: state `connected`, the duration limit, and the in-dialog requests the call
 * answers (re-INVITE/UPDATE against `plan`, incoming REFER). `localSdp` is our SDP in the 200.
 */
export function connectCall(p: CallParts, s: { leg: MediaLeg; agent: AgentSession; plan: MediaPlan; local: { address: string; port: number; sessionId: string }; localSdp: string }): number {
  const { call, dialog, deps, guard, hangup, routed, timers } = p;
  const answeredAt = Date.now();
  call.state = { status: 'connected', since: answeredAt, leg: s.leg, agent: s.agent, answeredAt };
  const limitSec = maxCallSec(deps.config.calls.maxDurationSec, routed?.action === 'agent' ? routed.persona.limits : undefined);
  timers.push(setTimeout(guard.wrap('timer', () => hangup('max-duration')), limitSec * 1000));
  const reinvites = new ReinviteHandler(call, s.plan, s.local, s.localSdp);
  dialog.on('reinvite', guard.wrap('reinvite', (re) => reinvites.handle(re)));
  dialog.on('refer', guard.wrap('refer', (refer) => handleIncomingRefer(call, refer, deps.config.transfers.incomingRefer, deps.auditFor?.(call.id))));
  return answeredAt;
}

/**
 * The routing decision for the call's band. A reject is answered with its status; a transfer,
 * before answer, is a redirect: 302 with the target as Contact (RFC 3261 §21.3.3, §8.3). 'ended'
 * when the call was refused or redirected.
 */
export function routeOrRedirect(call: Call, deps: CallRunnerDeps, band: Band, reject: (status: number, reason: string) => unknown): Extract<CallRoute, { action: 'agent' }> | undefined | 'ended' {
  const routed = deps.routeFor?.(call.dialog.info, band, call.id);
  if (routed?.action === 'reject') {
    reject(routed.status, routed.reason);
    return 'ended';
  }
  if (routed?.action === 'transfer') {
    call.end({ result: 'transferred', sipStatus: 302, reason: 'routed elsewhere' });
    call.dialog.reject(302, 'Moved Temporarily', { Contact: `<${routed.target}>` });
    return 'ended';
  }
  return routed;
}

/** 180 Ringing, then the configured answer delay; false when the call ended meanwhile (CANCEL, BYE). */
export async function ring(p: CallParts): Promise<boolean> {
  const { call, deps, timers } = p;
  p.dialog.progress(180);
  const delay = deps.config.calls.answerDelayMs;
  if (delay > 0) {
    await new Promise<void>((r) => {
      timers.push(setTimeout(r, delay));
      call.on('state', (st) => st.status === 'ended' && r());
    });
  }
  return !call.ended;
}
