import { DEFAULT_OPUS_PT, negotiateOpus, opusInfo, type OpusPreferences } from '../../codecs/index.ts';
import type { CodecInfo } from '../../codecs/types.ts';
import type { CodecPreference, OpusConfig } from '../../config/types.ts';
import type { MediaDirection } from '../media/media-leg.ts';
import { buildAnswer, buildOffer, negotiate, isNegotiationFailure, offerableCodecs, type Direction, type LocalMedia, type Negotiated } from '../sip/sdp.ts';

/** The negotiated media of a call: what the leg is opened with and what our answers are built from. */
export type MediaPlan = Negotiated;

export type PlanFailure = { readonly error: true; readonly status: number; readonly reason: string };

/** config `opus:` → the codec layer's preferences (bit/s, not kbit/s); codecs/opus defaults when absent. */
export function opusPreferences(opus: OpusConfig | undefined): OpusPreferences | undefined {
  return opus ? { sampleRate: opus.rate, complexity: opus.complexity, bitrate: opus.bitrateKbps * 1000 } : undefined;
}

/**
 * Negotiates the INVITE's offer against our codec preference (and, when opus wins, the configured
 * opus settings, capped by the offer's fmtp). An offer-less INVITE gets 488 here: the runner takes
 * it to `planLateOffer` (late-offer.ts) when its media backend can reserve a port before the codec
 * is known, and only falls back to this refusal when it cannot (FreeSWITCH media).
 */
export function planMedia(offer: string, prefs: readonly CodecPreference[], opus?: OpusConfig): MediaPlan | PlanFailure {
  if (offer.trim() === '') return { error: true, status: 488, reason: 'Not Acceptable Here' };
  const o = opusPreferences(opus);
  const n = negotiate(offer, prefs, o ? { opus: o } : {});
  if (isNegotiationFailure(n)) return { error: true, status: n.error, reason: n.error === 488 ? 'Not Acceptable Here' : 'Bad Request' };
  return n;
}

/**
 * What we offer in the 200 to an offer-less INVITE (RFC 3261 §13.2.1, RFC 3264 §5): every codec we
 * implement in the configured order, opus with our configured receive settings (RFC 7587 §6.1) and
 * telephone-event at each codec clock (RFC 4733 §2.1). The caller's answer in the ACK picks from it.
 */
export interface LateOfferPlan {
  readonly codecs: readonly CodecInfo[];
  /** telephone-event's payload type at the first codec's clock (buildOffer numbers the others). */
  readonly telephoneEventPt: number;
  /** The codec preference the answer is negotiated against (our offer's order). */
  readonly prefs: readonly CodecPreference[];
  readonly opus: OpusPreferences | undefined;
}

/** telephone-event's usual dynamic payload type (RFC 4733 leaves it to the SDP; 101 is customary). */
const TELEPHONE_EVENT_PT = 101;

export function planLateOffer(prefs: readonly CodecPreference[], opus?: OpusConfig): LateOfferPlan | PlanFailure {
  const o = opusPreferences(opus);
  const codecs = offerableCodecs(prefs).map((c) => (c.name === 'opus' ? opusInfo(DEFAULT_OPUS_PT, negotiateOpus(undefined, o)) : c));
  if (codecs.length === 0) return { error: true, status: 488, reason: 'Not Acceptable Here' };
  return { codecs, telephoneEventPt: TELEPHONE_EVENT_PT, prefs: codecs.map((c) => c.name), opus: o };
}

export function offerSdp(plan: LateOfferPlan, local: LocalMedia): string {
  return buildOffer(local, { codecs: plan.codecs, telephoneEventPt: plan.telephoneEventPt });
}

export function answerSdp(plan: MediaPlan, local: LocalMedia): string {
  return buildAnswer(plan, local);
}

/** SDP's direction names and media's are the same four words; the layers keep separate types. */
export function toMediaDirection(d: Direction): MediaDirection {
  return d;
}
