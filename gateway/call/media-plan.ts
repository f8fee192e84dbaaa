import type { OpusPreferences } from '../../codecs/index.ts';
import type { CodecPreference, OpusConfig } from '../../config/types.ts';
import type { MediaDirection } from '../media/media-leg.ts';
import { buildAnswer, negotiate, isNegotiationFailure, type Direction, type LocalMedia, type Negotiated } from '../sip/sdp.ts';

/** The negotiated media of a call: what the leg is opened with and what our answers are built from. */
export type MediaPlan = Negotiated;

export type PlanFailure = { readonly error: true; readonly status: number; readonly reason: string };

/** config `opus:` → the codec layer's preferences (bit/s, not kbit/s); codecs/opus defaults when absent. */
export function opusPreferences(opus: OpusConfig | undefined): OpusPreferences | undefined {
  return opus ? { sampleRate: opus.rate, complexity: opus.complexity, bitrate: opus.bitrateKbps * 1000 } : undefined;
}

/**
 * Negotiates the INVITE's offer against our codec preference (and, when opus wins, the configured
 * opus settings, capped by the offer's fmtp). An offer-less INVITE would need our offer in the 200
 * and the answer in the ACK (RFC 3261 §13.2.1); trunks always offer, so it is refused with 488 for now.
 */
export function planMedia(offer: string, prefs: readonly CodecPreference[], opus?: OpusConfig): MediaPlan | PlanFailure {
  if (offer.trim() === '') return { error: true, status: 488, reason: 'Not Acceptable Here' };
  const o = opusPreferences(opus);
  const n = negotiate(offer, prefs, o ? { opus: o } : {});
  if (isNegotiationFailure(n)) return { error: true, status: n.error, reason: n.error === 488 ? 'Not Acceptable Here' : 'Bad Request' };
  return n;
}

export function answerSdp(plan: MediaPlan, local: LocalMedia): string {
  return buildAnswer(plan, local);
}

/** SDP's direction names and media's are the same four words; the layers keep separate types. */
export function toMediaDirection(d: Direction): MediaDirection {
  return d;
}
