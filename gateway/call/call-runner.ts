import type { AgentCallContext, AgentFactory, AgentSession } from '../../agent/types.ts';
import { CallGuard, guardEmitter } from './call-guard.ts';
import { callHangup, fallBack, wireDialog, wireMedia, type Hangup } from './call-wiring.ts';
import { bandOf } from '../../codecs/index.ts';
import type { Band } from '../../codecs/types.ts';
import type { CallInfo } from '../sip/call-info.ts';
import type { Config } from '../../config/types.ts';
import type { Logger } from '../log.ts';
import { metrics } from '../metrics.ts';
import type { MediaLeg } from '../media/media-leg.ts';
import type { SipDialog } from '../sip/dialog.ts';
import { Call } from './call.ts';
import type { CallRegistry } from './call-registry.ts';
import { planMedia, answerSdp, type MediaPlan } from './media-plan.ts';
import { ReinviteHandler } from './reinvite.ts';
import type { CallAuditRecorder } from '../audit/audit-log.ts';
import { transferCall } from './transfer.ts';
import { handleIncomingRefer } from './incoming-refer.ts';
import type { CallPolicy } from '../../agent/tools/call-policy.ts';
import { maxCallSec } from '../../policies/limits.ts';
import type { CallRoute } from './choose-agents.ts';

/** What the runner needs from the composition root (gateway/deps.ts). */
export interface CallRunnerDeps {
  readonly config: Config;
  readonly log: Logger;
  readonly registry: CallRegistry;
  /** Opens the media leg for a negotiated plan (embedded RTP today). */
  readonly openMedia: (plan: MediaPlan, log: Logger) => Promise<{ leg: MediaLeg; address: string; port: number }>;
  /**
   * The agents for this call in order: the first answers, the others are the fallback chain used
   * when an agent's provider fails mid-call (routing policy).
   */
  readonly agentsFor: (info: CallInfo, band: Band) => readonly AgentFactory[];
  readonly isAccepting: () => boolean;
  /**
   * The routing decision (policies/routing.ts via choose-agents.ts); when given it replaces
   * `agentsFor`: a reject is answered with its status, a transfer with 302 to the target.
   */
  readonly routeFor?: (info: CallInfo, band: Band, callId: string) => CallRoute;
  /** The call's persona, tools and guardrails for the agent's context (agent/tools/call-policy.ts). */
  readonly policyFor?: (route: Extract<CallRoute, { action: 'agent' }>, parts: CallPolicyParts) => CallPolicy;
  /** The call's audit recorder, for transfers and incoming REFERs (gateway/call/policy-wiring.ts). */
  readonly auditFor?: (callId: string) => CallAuditRecorder | undefined;
}

/** What a call's policy is built from: the call, its media (confirmation prompts, DTMF) and its control. */
export interface CallPolicyParts {
  readonly callId: string;
  readonly leg: MediaLeg;
  readonly control: AgentCallContext['control'];
  readonly log: Logger;
  /** Aborted when the call ends: pending tool calls and confirmations stop. */
  readonly signal: AbortSignal;
}

/**
 * Takes one INVITE from offer to end: negotiate, open media, create the agent, answer, start the
 * agent, and end the call on whichever comes first (BYE, CANCEL, agent hangup, media timeout, fault).
 * A fault here ends this call only (metric + log), never the process.
 */
export function runCall(dialog: SipDialog, deps: CallRunnerDeps): Promise<Call> {
  const call = new Call(dialog, deps.log);
  const hangup = callHangup(call, dialog);
  // Everything the call starts runs in its guard's scope: a stray fault ends this call only.
  const guard = new CallGuard(call, () => hangup('error', 'fault'));
  return guard.run(() => runGuarded(call, dialog, deps, guard, hangup));
}

async function runGuarded(call: Call, dialog: SipDialog, deps: CallRunnerDeps, guard: CallGuard, hangup: Hangup): Promise<Call> {
  deps.registry.add(call);
  const started = performance.now();
  const timers: NodeJS.Timeout[] = [];
  call.on('state', (s) => {
    if (s.status === 'ended') for (const t of timers) clearTimeout(t);
  });

  wireDialog(call, dialog, guard);

  try {
    const reject = (status: number, reason: string): Call => {
      // End first: rejecting ends the dialog, whose 'ended' event must not decide the result.
      call.end({ result: 'rejected', sipStatus: status, reason });
      dialog.reject(status, reason, status === 503 ? { 'Retry-After': '5' } : undefined);
      return call;
    };
    if (!deps.isAccepting()) return reject(503, 'Service Unavailable');
    if (deps.registry.size > deps.config.calls.maxConcurrent) return reject(503, 'Service Unavailable');
    // A source that matches no configured trunk is refused (RFC 3261 §21.4.4 403 Forbidden).
    if (!dialog.info.trunk) return reject(403, 'Forbidden');

    const plan = planMedia(dialog.offer, deps.config.codecs, deps.config.opus);
    if ('error' in plan) {
      metrics.sipDropped.inc({ reason: 'no-common-codec' });
      return reject(plan.status, plan.reason);
    }

    const routed = deps.routeFor?.(dialog.info, bandOf(plan.codec), call.id);
    if (routed?.action === 'reject') return reject(routed.status, routed.reason);
    if (routed?.action === 'transfer') {
      // Before answer a transfer is a redirect: 302 with the target as Contact (RFC 3261 §21.3.3, §8.3).
      call.end({ result: 'transferred', sipStatus: 302, reason: 'routed elsewhere' });
      dialog.reject(302, 'Moved Temporarily', { Contact: `<${routed.target}>` });
      return call;
    }

    const { leg, address, port } = await deps.openMedia(plan, call.log);
    if (call.ended) {
      leg.close('ended-before-answer');
      return call;
    }
    const chain = routed ? [...routed.agents] : [...deps.agentsFor(dialog.info, bandOf(plan.codec))];
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
    const policy = routed && deps.policyFor ? deps.policyFor(routed, { callId: call.id, leg: agentLeg, control, log: call.log, signal: ended.signal }) : undefined;
    const ctx: AgentCallContext = {
      callId: call.id,
      band: bandOf(plan.codec),
      from: dialog.info.from,
      dialed: dialog.info.dialed,
      variables: routed ? routed.variables : dialog.info.headers,
      leg: agentLeg,
      log: call.log,
      control,
      ...(policy ? { policy } : {}),
    };
    const first = chain.shift();
    if (!first) {
      leg.close('no-agent');
      return reject(503, 'Service Unavailable');
    }
    let agent: AgentSession;
    try {
      agent = first.create(ctx);
    } catch (err) {
      leg.close('agent-failed');
      throw err;
    }
    call.state = { status: 'answering', since: Date.now(), leg, agent };
    wireMedia(call, dialog, leg, guard, hangup);

    dialog.progress(180);
    const delay = deps.config.calls.answerDelayMs;
    if (delay > 0) {
      // Ring first; a CANCEL or BYE during the ring ends the wait early.
      await new Promise<void>((r) => {
        timers.push(setTimeout(r, delay));
        call.on('state', (st) => st.status === 'ended' && r());
      });
    }
    if (call.ended) return call;

    const sessionId = String(Date.now());
    const sdp = answerSdp(plan, { address, port, sessionId, version: 1, direction: 'sendrecv' });
    const acked = dialog.answer(sdp);
    metrics.callSetupSeconds.observe((performance.now() - started) / 1000);
    const answeredAt = Date.now();
    call.state = { status: 'connected', since: answeredAt, leg, agent, answeredAt };
    timers.push(setTimeout(guard.wrap('timer', () => hangup('max-duration')), maxCallSec(deps.config.calls.maxDurationSec, routed?.action === 'agent' ? routed.persona.limits : undefined) * 1000));
    const reinvites = new ReinviteHandler(call, plan, { address, port, sessionId }, sdp);
    dialog.on('reinvite', guard.wrap('reinvite', (re) => reinvites.handle(re)));
    dialog.on('refer', guard.wrap('refer', (refer) => handleIncomingRefer(call, refer, deps.config.transfers.incomingRefer, deps.auditFor?.(call.id))));
    await acked;
    if (call.ended) return call;
    call.state = { status: 'agent', since: Date.now(), leg, agent, answeredAt };
    await agent.start();
  } catch (err) {
    if (!call.ended) {
      metrics.callErrors.inc({ stage: call.state.status });
      call.log.error({ err }, 'call failed');
      // Errors that classify themselves choose the status (a MediaError from an exhausted port pool
      // is 503 with Retry-After semantics, not a server fault).
      const sipStatus = (err as { sipStatus?: unknown }).sipStatus;
      hangup('error', undefined, typeof sipStatus === 'number' && sipStatus >= 400 && sipStatus < 700 ? sipStatus : undefined);
    }
  }
  return call;
}

