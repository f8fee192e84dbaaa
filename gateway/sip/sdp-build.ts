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
 *
 * Opus adds `a=fmtp:<pt> …` with our receive preferences (RFC 7587 §6.1), and its telephone-event
 * runs at 48000 like the audio (RFC 4733 §2.1); G.722 stays `G722/8000` (RFC 3551 §4.5.2).
 */
import { formatOpusFmtp } from '../../codecs/index.ts';
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

/** rtpmap plus the codec's fmtp, if it has one. */
function codecLines(c: CodecInfo): string[] {
  const lines = [rtpmap(c)];
  if (c.name === 'opus') lines.push(`a=fmtp:${c.payloadType} ${formatOpusFmtp(c.sampleRate)}`);
  return lines;
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
    lines.push(...codecLines(n.codec));
    if (te) lines.push(...eventLines(te.payloadType, te.clockRate));
    lines.push(`a=ptime:${PTIME}`, `a=${intersect(n.direction, local.direction)}`);
  });
  return lines.join('\r\n') + '\r\n';
}

export interface OfferOptions {
  /** Codecs to offer, most preferred first, e.g. `[negotiated.codec]` on a re-INVITE. */
  readonly codecs: readonly CodecInfo[];
  /**
   * Payload type for telephone-event at the first codec's clock; false to leave it out. Codecs at
   * other clocks (opus at 48000 beside G.711 at 8000) get one more telephone-event each, at the next
   * free dynamic payload types.
   */
  readonly telephoneEventPt?: number | false;
}

/** telephone-event payload types per distinct codec clock, first codec's clock first. */
function eventPts(codecs: readonly CodecInfo[], firstPt: number): Map<number, number> {
  const used = new Set(codecs.map((c) => c.payloadType));
  used.add(firstPt);
  const out = new Map<number, number>();
  let next = 96;
  for (const c of codecs) {
    if (out.has(c.clockRate)) continue;
    if (out.size === 0) {
      out.set(c.clockRate, firstPt);
      continue;
    }
    while (used.has(next) && next < 127) next++;
    used.add(next);
    out.set(c.clockRate, next);
  }
  return out;
}

/** An offer with one audio stream, for a re-INVITE that came without SDP (RFC 3261 §14.2). */
export function buildOffer(local: LocalMedia, opts: OfferOptions): string {
  if (!opts.codecs[0]) throw new RangeError('buildOffer needs at least one codec');
  const events = opts.telephoneEventPt === false ? new Map<number, number>() : eventPts(opts.codecs, opts.telephoneEventPt ?? 101);
  const pts = [...opts.codecs.map((c) => c.payloadType), ...events.values()];
  const lines = sessionLines(local);
  lines.push(`m=audio ${local.port} RTP/AVP ${pts.join(' ')}`);
  for (const c of opts.codecs) lines.push(...codecLines(c));
  for (const [clock, pt] of events) lines.push(...eventLines(pt, clock));
  lines.push(`a=ptime:${PTIME}`, `a=${local.direction}`);
  return lines.join('\r\n') + '\r\n';
}
