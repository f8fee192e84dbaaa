import { isNegotiationFailure, negotiate } from '../sip/sdp.ts';
import type { LateOfferPlan, MediaPlan } from './media-plan.ts';

/** Why an answer in the ACK cannot carry the call: a closed set, the label of `trunkline_late_offer_calls_total`. */
export type AnswerProblem = 'no-answer' | 'malformed-answer' | 'no-common-codec';

export type AnswerFailure = { readonly error: true; readonly problem: AnswerProblem };

/**
 * The caller's answer (the ACK's body) to the offer we put in our 200 (RFC 3261 §13.2.1, RFC 3264 §6).
 * The answer's payload types are a subset of our offer's, so the codec is the first of OUR offered
 * codecs (our preference order) that the answer kept; the remote address, direction, ptime and
 * telephone-event come from the answer, and opus settings are capped by its fmtp (RFC 7587 §6.1).
 *
 * An ACK without SDP leaves the offer unanswered, and an answer whose audio streams are all refused
 * (port 0, RFC 3264 §6) or that kept none of our codecs cannot carry the call: RFC 3261 §13.2.1 has
 * the UAS end such a session with BYE. Pure; the call layer sends the BYE.
 */
export function acceptAnswer(body: string | void, offer: LateOfferPlan): MediaPlan | AnswerFailure {
  if (body === undefined || body.trim() === '') return { error: true, problem: 'no-answer' };
  const n = negotiate(body, offer.prefs, offer.opus ? { opus: offer.opus } : {});
  if (isNegotiationFailure(n)) return { error: true, problem: n.error === 400 ? 'malformed-answer' : 'no-common-codec' };
  return n;
}

export function isAnswerFailure(r: MediaPlan | AnswerFailure): r is AnswerFailure {
  return 'error' in r;
}
