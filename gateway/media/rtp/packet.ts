/**
 * RTP fixed header parse and build (RFC 3550 §5.1), and the RTP/RTCP split for a shared port
 * (RFC 5761 §4). Parsing never throws: bad packets from the network are ordinary input, so the
 * hot path returns a discriminated result the caller counts by reason.
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           timestamp                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           synchronization source (SSRC) identifier            |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * |            contributing source (CSRC) identifiers  (CC × 32)  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  defined by profile (X=1)     |   length (32-bit words)       |  RFC 3550 §5.3.1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  header extension (length × 32)               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  payload ...  | padding ... | padding count    |  P=1: last octet counts padding
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */

export const RTP_HEADER_BYTES = 12;

export interface RtpHeader {
  readonly marker: boolean;
  readonly payloadType: number;
  /** 16-bit sequence number. */
  readonly sequence: number;
  /** 32-bit media timestamp (unsigned). */
  readonly timestamp: number;
  /** 32-bit synchronisation source (unsigned). */
  readonly ssrc: number;
}

export interface RtpPacket extends RtpHeader {
  readonly csrcs: readonly number[];
  /** A view into the datagram (no copy); padding and header extension excluded. */
  readonly payload: Uint8Array;
}

/** Why a datagram was not an RTP packet; values double as bounded metric labels. */
export type RtpParseFailure = 'too-short' | 'bad-version' | 'malformed' | 'rtcp';

export type RtpParseResult = { readonly ok: true; readonly packet: RtpPacket } | { readonly ok: false; readonly reason: RtpParseFailure };

/**
 * RFC 5761 §4: with RTP and RTCP multiplexed on one port, the second octet tells them apart —
 * RTCP packet types 192–223 fall where marker+PT would read 64–95, a range RTP payload types avoid.
 */
export function isRtcp(buf: Uint8Array): boolean {
  if (buf.length < 2) return false;
  const pt = buf[1]!;
  return pt >= 192 && pt <= 223;
}

export function parseRtp(buf: Uint8Array): RtpParseResult {
  if (buf.length < RTP_HEADER_BYTES) return { ok: false, reason: 'too-short' };
  const b0 = buf[0]!;
  if (b0 >> 6 !== 2) return { ok: false, reason: 'bad-version' };
  if (isRtcp(buf)) return { ok: false, reason: 'rtcp' };
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const cc = b0 & 0x0f;
  let offset = RTP_HEADER_BYTES + cc * 4;
  if (offset > buf.length) return { ok: false, reason: 'malformed' };
  const csrcs: number[] = [];
  for (let i = 0; i < cc; i++) csrcs.push(view.getUint32(RTP_HEADER_BYTES + i * 4));
  if (b0 & 0x10) {
    // §5.3.1: skip the extension whatever its profile; its length excludes its own 4-octet header.
    if (offset + 4 > buf.length) return { ok: false, reason: 'malformed' };
    offset += 4 + view.getUint16(offset + 2) * 4;
    if (offset > buf.length) return { ok: false, reason: 'malformed' };
  }
  let end = buf.length;
  if (b0 & 0x20) {
    // §5.1: the last octet counts the padding octets, itself included, so it can never be 0.
    const pad = buf[buf.length - 1]!;
    if (pad === 0 || end - pad < offset) return { ok: false, reason: 'malformed' };
    end -= pad;
  }
  const b1 = buf[1]!;
  return {
    ok: true,
    packet: {
      marker: (b1 & 0x80) !== 0,
      payloadType: b1 & 0x7f,
      sequence: view.getUint16(2),
      timestamp: view.getUint32(4),
      ssrc: view.getUint32(8),
      csrcs,
      payload: buf.subarray(offset, end),
    },
  };
}

/**
 * Writes a 12-octet header (no CSRC, extension or padding: we are an end system, not a mixer) and
 * the payload into a caller-owned buffer; returns the packet length. Throws only on a programming
 * error (buffer too small), never on network input.
 */
export function writeRtp(header: RtpHeader, payload: Uint8Array, out: Uint8Array): number {
  const len = RTP_HEADER_BYTES + payload.length;
  if (out.length < len) throw new RangeError(`RTP buffer of ${out.length} octets cannot hold ${len}`);
  writeRtpHeader(header, out);
  out.set(payload, RTP_HEADER_BYTES);
  return len;
}

/** Writes only the 12-octet header, for a payload already encoded in place at `out[12..]`. */
export function writeRtpHeader(header: RtpHeader, out: Uint8Array): void {
  if (out.length < RTP_HEADER_BYTES) throw new RangeError('RTP buffer shorter than a header');
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out[0] = 0x80; // V=2, P=0, X=0, CC=0
  out[1] = (header.marker ? 0x80 : 0) | (header.payloadType & 0x7f);
  view.setUint16(2, header.sequence & 0xffff);
  view.setUint32(4, header.timestamp >>> 0);
  view.setUint32(8, header.ssrc >>> 0);
}

/** Signed distance a→b of 16-bit sequence numbers (RFC 3550 A.1 serial arithmetic): -32768..32767. */
export function seqDelta(from: number, to: number): number {
  return (((to - from) & 0xffff) << 16) >> 16;
}

/** Signed distance of 32-bit RTP timestamps. */
export function tsDelta(from: number, to: number): number {
  return (to - from) | 0;
}
