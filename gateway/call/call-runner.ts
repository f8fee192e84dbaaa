import type { AgentCallContext, AgentFactory } from '../../agent/types.ts';
import { CallGuard } from './call-guard.ts';
import { callHangup, wireDialog, wireMedia, type Hangup } from './call-wiring.ts';
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
import type { CallAuditRecorder } from '../audit/audit-log.ts';
import type { CallPolicy } from '../../agent/tools/call-policy.ts';
import type { CallRoute } from './choose-agents.ts';
import { connectCall, createCallAgent, ring, routeOrRedirect, type CallParts } from './call-session.ts';
import { runLateOffer, type MediaReservation } from './late-offer-call.ts';

/** What the runner needs from the composition root (gateway/deps.ts). */
export interface CallRunnerDeps {
  readonly config: Config;
  readonly log: Logger;
  readonly registry: CallRegistry;
  /** Opens the media leg for a negotiated plan (embedded RTP today). */
  readonly openMedia: (plan: MediaPlan, log: Logger) => Promise<{ leg: MediaLeg; address: string; port: number }>;
  /**
   * Takes a local RTP port before the codec is known, for an offer-less INVITE: our 200 names the
   * port, the ACK's answer picks the codec, then the leg opens on that port. Absent (FreeSWITCH
   * media), an offer-less INVITE is refused 488.
   */
  readonly reserveMedia?: (log: Logger) => Promise<MediaReservation>;
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

    // Offer-less INVITE (RFC 3261 §13.2.1): our offer goes in the 200, the answer comes in the ACK.
    if (dialog.offer.trim() === '' && deps.reserveMedia) return await runLateOffer({ call, dialog, deps, guard, hangup, routed: undefined, timers }, reject, started);
    const plan = planMedia(dialog.offer, deps.config.codecs, deps.config.opus);
    if ('error' in plan) {
      metrics.sipDropped.inc({ reason: 'no-common-codec' });
      return reject(plan.status, plan.reason);
    }

    const routed = routeOrRedirect(call, deps, bandOf(plan.codec), reject);
    if (routed === 'ended') return call;

    const { leg, address, port } = await deps.openMedia(plan, call.log);
    if (call.ended) {
      leg.close('ended-before-answer');
      return call;
    }
    const parts: CallParts = { call, dialog, deps, guard, hangup, routed, timers };
    const agent = createCallAgent(parts, leg, bandOf(plan.codec));
    if (!agent) {
      leg.close('no-agent');
      return reject(503, 'Service Unavailable');
    }
    call.state = { status: 'answering', since: Date.now(), leg, agent };
    wireMedia(call, dialog, leg, guard, hangup);

    if (!(await ring(parts))) return call;

    const sessionId = String(Date.now());
    const sdp = answerSdp(plan, { address, port, sessionId, version: 1, direction: 'sendrecv' });
    const acked = dialog.answer(sdp);
    metrics.callSetupSeconds.observe((performance.now() - started) / 1000);
    const answeredAt = connectCall(parts, { leg, agent, plan, local: { address, port, sessionId }, localSdp: sdp });
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

