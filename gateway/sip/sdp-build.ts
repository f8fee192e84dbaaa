/**
 * Builds our SDP: the answer to a negotiated offer (RFC 3264 §6) and an offer for an offer-less
 * re-INVITE (RFC 3264 §5, RFC 3261 §14.2). Pure string building, CRLF line ends (RFC 8866 §5).
 *
 *   v=0
 *   o=trunkline <sessionId> <version> IN IP4 <address>
 *   s=trunkline
 *   c=IN IP4 <address>
 *   t=0 0
 *   m=audio <port> RTP/AVP <codec pt> <event pt>
 *   a=rtpmap:<codec pt> PCMU/8000
 *   a=rtpmap:<event pt> telephone-event/8000
 *   a=fmtp:<event pt> 0-16
 *   a=ptime:20
 *   a=sendrecv
 */
import type { CodecInfo } from '../../codecs/types.ts';
import { intersect } from './sdp-direction.ts';
import type { Negotiated } from './sdp-negotiate.ts';
import type { Direction } from './sdp-parse.ts';

export interface LocalMedia {
  /** Address written in o= and c= (the advertised RTP address). */
  readonly address: string;
  readonly port: number;
  /** Stays the same for the whole dialog (RFC 8866 §5.2). */
  readonly sessionId: string;
  /** Incremented by the caller each time our SDP changes, e.g. on re-INVITE (RFC 3264 §8). */
  readonly version: number;
  /** What we want: sendrecv normally; the answer never exceeds what the offer allows. */
  readonly direction: Direction;
}

/** Events 0–15 are DTMF, 16 is flash (RFC 4733 §3.2). */
const EVENTS = '0-16';
/** Packet time we send (RFC 3551 §4.5: 20 ms is the default for G.711). */
const PTIME = 20;

function sessionLines(local: LocalMedia): string[] {
  const addrType = local.address.includes(':') ? 'IP6' : 'IP4';
  return [
    'v=0',
    `o=trunkline ${local.sessionId} ${local.version} IN ${addrType} ${local.address}`,
    's=trunkline',
    `c=IN ${addrType} ${local.address}`,
    't=0 0',
  ];
}

function rtpmap(c: CodecInfo): string {
  return `a=rtpmap:${c.payloadType} ${c.name}/${c.clockRate}${c.channels > 1 ? `/${c.channels}` : ''}`;
}

function eventLines(pt: number, clockRate: number): string[] {
  return [`a=rtpmap:${pt} telephone-event/${clockRate}`, `a=fmtp:${pt} ${EVENTS}`];
}

export function buildAnswer(n: Negotiated, local: LocalMedia): string {
  const lines = sessionLines(local);
  n.offerMedia.forEach((m, i) => {
    if (i !== n.mediaIndex) {
      // RFC 3264 §6: same number and order of m= lines; a rejected stream gets port 0 and keeps
      // the offered formats so the line stays well-formed.
      lines.push(`m=${m.type} 0 ${m.proto} ${m.formats.join(' ')}`);
      return;
    }
    const te = n.telephoneEvent;
    lines.push(`m=audio ${local.port} ${n.proto} ${n.codec.payloadType}${te ? ` ${te.payloadType}` : ''}`);
    lines.push(rtpmap(n.codec));
    if (te) lines.push(...eventLines(te.payloadType, te.clockRate));
    lines.push(`a=ptime:${PTIME}`, `a=${intersect(n.direction, local.direction)}`);
  });
  return lines.join('\r\n') + '\r\n';
}

export interface OfferOptions {
  /** Codecs to offer, most preferred first, e.g. `[negotiated.codec]` on a re-INVITE. */
  readonly codecs: readonly CodecInfo[];
  /** Payload type for telephone-event at the first codec's clock; false to leave it out. */
  readonly telephoneEventPt?: number | false;
}

/** An offer with one audio stream, for a re-INVITE that came without SDP (RFC 3261 §14.2). */
export function buildOffer(local: LocalMedia, opts: OfferOptions): string {
  const first = opts.codecs[0];
  if (!first) throw new RangeError('buildOffer needs at least one codec');
  const tePt = opts.telephoneEventPt === false ? undefined : (opts.telephoneEventPt ?? 101);
  const pts = opts.codecs.map((c) => c.payloadType);
  if (tePt !== undefined) pts.push(tePt);
  const lines = sessionLines(local);
  lines.push(`m=audio ${local.port} RTP/AVP ${pts.join(' ')}`);
  for (const c of opts.codecs) lines.push(rtpmap(c));
  if (tePt !== undefined) lines.push(...eventLines(tePt, first.clockRate));
  lines.push(`a=ptime:${PTIME}`, `a=${local.direction}`);
  return lines.join('\r\n') + '\r\n';
}
