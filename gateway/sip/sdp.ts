/**
 * SDP for the SIP layer: parse (sdp-parse), offer/answer negotiation (sdp-negotiate), building our
 * answers and offers (sdp-build). One import point for the call layer; pure, no I/O. Imports only
 * codecs/ (and config types): gateway/sip never imports gateway/media, so `Direction` is defined
 * here and the call layer maps it to media's `MediaDirection` (same four strings).
 */
export { SdpError, parseSdp } from './sdp-parse.ts';
export type { Direction, RtpMap, SdpAttribute, SdpConnection, SdpMedia, SdpOrigin, SessionDescription } from './sdp-parse.ts';
export { canReceive, canSend, intersect, mirror } from './sdp-direction.ts';
export { isNegotiationFailure, negotiate, offerableCodecs } from './sdp-negotiate.ts';
export type { Negotiated, NegotiationFailure, OfferedMedia, TelephoneEvent } from './sdp-negotiate.ts';
export { buildAnswer, buildOffer } from './sdp-build.ts';
export type { LocalMedia, OfferOptions } from './sdp-build.ts';
