import { bandOf } from '../../codecs/index.ts';
import type { Logger } from '../log.ts';
import type { MediaLeg } from '../media/media-leg.ts';
import { metrics } from '../metrics.ts';
import type { CallState } from './call-state.ts';
import type { Call } from './call.ts';
import { wireMedia } from './call-wiring.ts';
import { connectCall, createCallAgent, ring, routeOrRedirect, type CallParts } from './call-session.ts';
import { acceptAnswer, isAnswerFailure } from './late-offer.ts';
import { offerSdp, planLateOffer, type MediaPlan } from './media-plan.ts';

/** A local RTP port held for a call whose codec is not known yet (gateway/deps.ts makes it). */
export interface MediaReservation {
  /** The advertised RTP address and the reserved port: what our offer says. */
  readonly address: string;
  readonly port: number;
  /** Opens the leg on the reserved port for the negotiated plan (remote and direction set). */
  open(plan: MediaPlan, log: Logger): Promise<MediaLeg>;
  /** Gives the port back when no leg was opened (the leg releases it otherwise). Idempotent. */
  release(): void;
}

/** RFC 3326 Reason of the BYE that ends a call whose answer we cannot use. */
const BAD_ANSWER_REASON = 'SIP ;cause=488 ;text="Not Acceptable Here"';

/**
 * An offer-less INVITE (delayed offer: Cisco CUBE, Avaya, transfers in from a PBX). RFC 3261
 * §13.2.1 / RFC 3264 §5: we offer in the 200 every codec we take (config order), the caller answers
 * in the ACK, then the leg opens on the port we offered and latches to the answer's address.
 *
 * Order: routing runs before the 200 (a reject or a redirect cannot follow an answer), with the band
 * of our first codec as a provisional value; the agent is created only after the ACK, so a
 * pre-warmed speech-to-speech session never starts on a band the answer did not pick, and when the
 * answer's band differs the agent chain is chosen again for it (persona and variables kept).
 */
export async function runLateOffer(p: CallParts, reject: (status: number, reason: string) => Call, started: number): Promise<Call> {
  const { call, dialog, deps, guard, hangup } = p;
  const offer = planLateOffer(deps.config.codecs, deps.config.opus);
  if ('error' in offer) return reject(offer.status, offer.reason);
  const provisional = bandOf(offer.codecs[0]!);
  const routed = routeOrRedirect(call, deps, provisional, reject);
  if (routed === 'ended') return call;
  const reservation = await deps.reserveMedia!(call.log);
  // Between our 200 and a connected call there is no leg: an end from our side (a fault, drain) must
  // still BYE, which callHangup only does once the call is connected.
  const byeEarly = (st: CallState): void => {
    if (st.status === 'ended' && dialog.state === 'confirmed') dialog.bye().catch((err: unknown) => call.log.debug({ err }, 'bye failed'));
  };
  call.on('state', byeEarly);
  try {
    const parts: CallParts = { ...p, routed };
    if (!(await ring(parts))) return call;
    const local = { address: reservation.address, port: reservation.port, sessionId: String(Date.now()) };
    const sdp = offerSdp(offer, { ...local, version: 1, direction: 'sendrecv' });
    const acked = dialog.answer(sdp);
    metrics.callSetupSeconds.observe((performance.now() - started) / 1000);
    const body = await acked;
    if (call.ended) return call;
    const plan = acceptAnswer(body, offer);
    if (isAnswerFailure(plan)) {
      metrics.lateOffers.inc({ outcome: plan.problem });
      call.log.warn({ problem: plan.problem }, 'late offer: unusable answer in ACK, sending BYE');
      call.off('state', byeEarly);
      call.end({ result: 'error', sipStatus: 488, reason: `late offer: ${plan.problem}` });
      await dialog.bye({ Reason: BAD_ANSWER_REASON }).catch((err: unknown) => call.log.debug({ err }, 'bye failed'));
      return call;
    }
    const leg = await reservation.open(plan, call.log);
    if (call.ended) {
      leg.close('ended-before-answer');
      return call;
    }
    const band = bandOf(plan.codec);
    const agentParts: CallParts = band === provisional || routed === undefined ? parts : { ...parts, routed: { ...routed, agents: deps.agentsFor(dialog.info, band) } };
    const agent = createCallAgent(agentParts, leg, band);
    if (!agent) {
      leg.close('no-agent');
      hangup('error', 'no agent');
      return call;
    }
    call.state = { status: 'answering', since: Date.now(), leg, agent };
    wireMedia(call, dialog, leg, guard, hangup);
    const answeredAt = connectCall(agentParts, { leg, agent, plan, local, localSdp: sdp });
    call.off('state', byeEarly);
    metrics.lateOffers.inc({ outcome: 'connected' });
    call.log.info({ codec: plan.codec.name, band }, 'late offer answered in ACK');
    call.state = { status: 'agent', since: Date.now(), leg, agent, answeredAt };
    await agent.start();
    return call;
  } finally {
    call.off('state', byeEarly);
    reservation.release();
  }
}
