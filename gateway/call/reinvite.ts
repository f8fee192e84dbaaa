import { negotiate, isNegotiationFailure, buildAnswer, buildOffer, type Negotiated } from '../sip/sdp.ts';
import type { ReInvite } from '../sip/dialog.ts';
import type { Call } from './call.ts';
import { toMediaDirection } from './media-plan.ts';

/**
 * Answers re-INVITEs in an established dialog (RFC 3261 §14.2, RFC 3264 §8): hold and resume, a new
 * remote address. The codec stays the one negotiated at set-up (the leg's encoder is fixed); an offer
 * without it gets 488 and the call goes on unchanged (§14.2: a failed re-INVITE leaves the session as
 * it was). Our o= version rises only when our SDP changes (RFC 3264 §8).
 */
export class ReinviteHandler {
  #plan: Negotiated;
  #version = 1;
  #lastBody: string;
  #held: boolean;

  constructor(
    private readonly call: Call,
    plan: Negotiated,
    private readonly local: { readonly address: string; readonly port: number; readonly sessionId: string },
    firstAnswer: string,
  ) {
    this.#plan = plan;
    this.#lastBody = withoutOrigin(firstAnswer);
    this.#held = plan.hold;
  }

  handle(re: ReInvite): void {
    const s = this.call.state;
    if (s.status !== 'agent' && s.status !== 'connected') {
      re.reject(491, 'Request Pending');
      return;
    }
    if (re.sdp === undefined || re.sdp.trim() === '') {
      // Offer-less re-INVITE: we offer what we have in the 200 (RFC 3261 §14.2).
      re.accept(buildOffer(this.#local('sendrecv'), { codecs: [this.#plan.codec], telephoneEventPt: this.#plan.telephoneEvent?.payloadType }));
      return;
    }
    // Opus: the leg runs at the rate and settings negotiated at set-up; the answer keeps saying so.
    const o = this.#plan.codec.opus;
    const n = negotiate(re.sdp, [this.#plan.codec.name], o ? { opus: { sampleRate: o.sampleRate, complexity: o.complexity, bitrate: o.bitrate } } : {});
    if (isNegotiationFailure(n) || n.codec.name !== this.#plan.codec.name) {
      re.reject(488, 'Not Acceptable Here');
      return;
    }
    this.#plan = n;
    const leg = s.leg;
    leg.setDirection(toMediaDirection(n.direction));
    if (n.remote.address !== '0.0.0.0') leg.updateRemote?.(n.remote.address, n.remote.port);
    if (n.hold !== this.#held) {
      this.#held = n.hold;
      this.call.log.info({ hold: n.hold }, n.hold ? 'call held' : 'call resumed');
      s.agent.notify({ type: n.hold ? 'hold' : 'resume' });
    }
    let answer = buildAnswer(n, this.#local('sendrecv'));
    if (withoutOrigin(answer) !== this.#lastBody) {
      this.#version++;
      answer = buildAnswer(n, this.#local('sendrecv'));
      this.#lastBody = withoutOrigin(answer);
    }
    re.accept(answer);
  }

  #local(direction: 'sendrecv') {
    return { ...this.local, version: this.#version, direction };
  }
}

function withoutOrigin(sdp: string): string {
  return sdp.replace(/^o=.*$/m, '');
}
