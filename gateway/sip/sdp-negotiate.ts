/**
 * Offer/answer negotiation on the answerer's side (RFC 3264 §6): picks one audio stream and one
 * codec from an SDP offer. Pure; the call layer turns the result into a media leg and an answer.
 *
 * Codec choice: the first codec in OUR preference order that the offer contains and this build
 * implements (`implementedCodecs()`), matched by static payload type (RFC 3551 Table 4) or by
 * `a=rtpmap` name and clock for dynamic ones. RFC 3264 §6.1 lets the answerer choose among the
 * offered formats; ordering by our preference keeps the call on the codec the operator wants.
 *
 * Opus (RFC 7587): matched as `opus/48000` whatever the channel count; its fmtp decides our internal
 * rate and encoder settings (codecs/opus/params.ts), and `telephone-event` must then be at 48000 too
 * (RFC 4733 §2.1: the event clock is the audio stream's clock).
 */
import { codecInfo, implementedCodecs, negotiateOpus, opusInfo } from '../../codecs/index.ts';
import type { OpusPreferences } from '../../codecs/index.ts';
import type { CodecInfo, CodecName } from '../../codecs/types.ts';
import type { CodecPreference } from '../../config/types.ts';
import { canReceive, fromFlags, mirror } from './sdp-direction.ts';
import { SdpError, parseSdp } from './sdp-parse.ts';
import type { Direction, SdpMedia, SdpOrigin } from './sdp-parse.ts';

export interface TelephoneEvent {
  readonly payloadType: number;
  readonly clockRate: number;
  /** The offer's event list, e.g. `0-16`; undefined when the offer had no fmtp (RFC 4733 §2.4.1: 0-15). */
  readonly fmtp: string | undefined;
}

/** An m= line of the offer, kept so the answer can reject the others in place (RFC 3264 §6). */
export interface OfferedMedia {
  readonly type: string;
  readonly proto: string;
  readonly formats: readonly string[];
}

export interface Negotiated {
  /** The chosen codec, with the payload type the offer used for it. */
  readonly codec: CodecInfo;
  /** RFC 4733 events at the codec's RTP clock rate, if offered. */
  readonly telephoneEvent: TelephoneEvent | undefined;
  /** Where to send RTP/RTCP. Address `0.0.0.0` on legacy hold: send nothing there. */
  readonly remote: { readonly address: string; readonly port: number; readonly rtcpAddress: string; readonly rtcpPort: number };
  /** The offer's direction for the chosen stream (media level, else session level, else sendrecv). */
  readonly remoteDirection: Direction;
  /** Our side's direction implied by the offer (mirror; never "send" to a 0.0.0.0 hold address). */
  readonly direction: Direction;
  /** The remote put us on hold: a=sendonly / a=inactive (RFC 3264 §8.4) or c=0.0.0.0 (RFC 2543). */
  readonly hold: boolean;
  /** Remote's a=ptime in ms, 20 when absent. */
  readonly ptime: number;
  /** Index of the chosen m= line in the offer. */
  readonly mediaIndex: number;
  readonly proto: string;
  readonly offerMedia: readonly OfferedMedia[];
  /** The offer's o= line: an unchanged version on a re-INVITE means an unchanged session (RFC 3264 §8). */
  readonly origin: SdpOrigin;
}

export interface NegotiationFailure {
  readonly error: 488 | 400;
  /** Static text, safe to log and to put in a Reason/Warning header. */
  readonly reason: string;
}

/** RTP/AVP static audio payload types, RFC 3551 Table 4 (encoding name and clock). */
const STATIC_PT: ReadonlyMap<number, { encoding: string; clockRate: number }> = new Map([
  [0, { encoding: 'PCMU', clockRate: 8000 }],
  [3, { encoding: 'GSM', clockRate: 8000 }],
  [4, { encoding: 'G723', clockRate: 8000 }],
  [8, { encoding: 'PCMA', clockRate: 8000 }],
  [9, { encoding: 'G722', clockRate: 8000 }],
  [13, { encoding: 'CN', clockRate: 8000 }],
  [18, { encoding: 'G729', clockRate: 8000 }],
]);

/** We carry plain RTP only; SRTP profiles (RTP/SAVP, UDP/TLS/…) would need keys we do not have. */
const USABLE_PROTOS: ReadonlySet<string> = new Set(['RTP/AVP', 'RTP/AVPF']);

function describePt(m: SdpMedia, pt: number): { encoding: string; clockRate: number } | undefined {
  const map = m.rtpmap.get(pt);
  return map ? { encoding: map.encoding, clockRate: map.clockRate } : STATIC_PT.get(pt);
}

/** The offered payload type carrying `name` at its RTP clock, first in offer order. */
function findCodec(m: SdpMedia, name: CodecName): number | undefined {
  const want = codecInfo(name);
  return m.payloadTypes.find((pt) => {
    const d = describePt(m, pt);
    return d !== undefined && d.encoding.toLowerCase() === name.toLowerCase() && d.clockRate === want.clockRate;
  });
}

function findTelephoneEvent(m: SdpMedia, clockRate: number): TelephoneEvent | undefined {
  for (const pt of m.payloadTypes) {
    const map = m.rtpmap.get(pt);
    if (map && map.encoding.toLowerCase() === 'telephone-event' && map.clockRate === clockRate) {
      return { payloadType: pt, clockRate, fmtp: m.fmtp.get(pt) };
    }
  }
  return undefined;
}

function isUnspecified(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/** Codecs we may offer or accept, in the configured order: preferred ∩ implemented. */
export function offerableCodecs(prefs: readonly CodecPreference[]): CodecInfo[] {
  const impl = new Set<CodecName>(implementedCodecs());
  return [...new Set(prefs)].filter((p) => impl.has(p)).map((p) => codecInfo(p));
}

export interface NegotiateOptions {
  /** Our opus preferences (internal rate, complexity, bitrate); codecs/opus defaults otherwise. */
  readonly opus?: OpusPreferences;
}

function chosenCodec(m: SdpMedia, name: CodecName, pt: number, opts: NegotiateOptions): CodecInfo {
  return name === 'opus' ? opusInfo(pt, negotiateOpus(m.fmtp.get(pt), opts.opus)) : codecInfo(name, pt);
}

export function negotiate(offerSdp: string, prefs: readonly CodecPreference[], opts: NegotiateOptions = {}): Negotiated | NegotiationFailure {
  let offer;
  try {
    offer = parseSdp(offerSdp);
  } catch (err) {
    if (err instanceof SdpError) return { error: 400, reason: 'malformed SDP offer' };
    throw err;
  }
  const audio = offer.media
    .map((m, index) => ({ m, index }))
    .filter(({ m }) => m.type === 'audio' && m.port !== 0 && USABLE_PROTOS.has(m.proto.toUpperCase()));
  if (audio.length === 0) return { error: 488, reason: 'no usable audio stream in offer' };

  for (const codec of offerableCodecs(prefs)) {
    for (const { m, index } of audio) {
      const pt = findCodec(m, codec.name);
      if (pt === undefined) continue;
      const conn = m.effectiveConnection;
      if (!conn) return { error: 400, reason: 'audio stream without connection address' };
      const legacyHold = isUnspecified(conn.address);
      const remoteDirection = m.effectiveDirection;
      const mirrored = mirror(remoteDirection);
      // RFC 3264 §8.4 / RFC 2543: c=0.0.0.0 means "do not send to me" whatever the attribute says.
      const direction = legacyHold ? fromFlags(false, canReceive(mirrored)) : mirrored;
      return {
        codec: chosenCodec(m, codec.name, pt, opts),
        telephoneEvent: findTelephoneEvent(m, codec.clockRate),
        remote: {
          address: conn.address,
          port: m.port,
          rtcpAddress: m.rtcp?.connection?.address ?? conn.address,
          rtcpPort: m.rtcp?.port ?? m.port + 1,
        },
        remoteDirection,
        direction,
        hold: legacyHold || !canReceive(remoteDirection), // they will not receive: sendonly or inactive
        ptime: m.ptime ?? 20,
        mediaIndex: index,
        proto: m.proto,
        offerMedia: offer.media.map((o) => ({ type: o.type, proto: o.proto, formats: o.formats })),
        origin: offer.origin,
      };
    }
  }
  return { error: 488, reason: 'no common audio codec' };
}

export function isNegotiationFailure(r: Negotiated | NegotiationFailure): r is NegotiationFailure {
  return 'error' in r;
}
