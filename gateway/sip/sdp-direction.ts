/**
 * Direction algebra for offer/answer (RFC 3264 §6.1, §8.4). A direction is a pair of permissions
 * (send, receive) seen from the side that wrote it.
 */
import type { Direction } from './sdp-parse.ts';

const SEND: Record<Direction, boolean> = { sendrecv: true, sendonly: true, recvonly: false, inactive: false };
const RECV: Record<Direction, boolean> = { sendrecv: true, sendonly: false, recvonly: true, inactive: false };

export function fromFlags(send: boolean, recv: boolean): Direction {
  return send ? (recv ? 'sendrecv' : 'sendonly') : recv ? 'recvonly' : 'inactive';
}

/** The answer's direction for an offer's, RFC 3264 §6.1: sendonly ↔ recvonly, the others mirror. */
export function mirror(offer: Direction): Direction {
  return fromFlags(RECV[offer], SEND[offer]);
}

/** What both allow: we send only if both say send, receive only if both say receive. */
export function intersect(a: Direction, b: Direction): Direction {
  return fromFlags(SEND[a] && SEND[b], RECV[a] && RECV[b]);
}

export function canSend(d: Direction): boolean {
  return SEND[d];
}

export function canReceive(d: Direction): boolean {
  return RECV[d];
}
