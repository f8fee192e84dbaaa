/**
 * RTCP sender and receiver reports (RFC 3550 §6.4) — enough to read how the far end hears us and to
 * tell it how we hear it. A compound datagram is several packets back to back, each starting with:
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|   RC    |  PT (200 SR,  |     length (32-bit words − 1) |
 * |   |  |        |  201 RR, ...) |                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  SSRC of packet sender                        |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * | SR only: NTP timestamp (2 words), RTP timestamp, sender's     |
 * |          packet count, sender's octet count       (20 octets) |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * | report block × RC:  SSRC_n                                    |
 * | fraction lost |       cumulative number of packets lost       |
 * |           extended highest sequence number received           |
 * |                      interarrival jitter                      |
 * |                         last SR (LSR)                         |
 * |                   delay since last SR (DLSR)                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */

export interface ReportBlock {
  readonly ssrc: number;
  /** Fraction of packets lost since the previous report, 0..255 meaning 0..255/256. */
  readonly fractionLost: number;
  /** Cumulative packets lost (24-bit signed: duplicates can make it negative). */
  readonly cumulativeLost: number;
  readonly highestSeq: number;
  /** Interarrival jitter in RTP timestamp units (§6.4.1). */
  readonly jitter: number;
  readonly lastSr: number;
  readonly delaySinceLastSr: number;
}

export type RtcpPacket =
  | { readonly type: 'sr'; readonly ssrc: number; readonly ntpMsw: number; readonly ntpLsw: number; readonly rtpTimestamp: number; readonly packetCount: number; readonly octetCount: number; readonly reports: ReportBlock[] }
  | { readonly type: 'rr'; readonly ssrc: number; readonly reports: ReportBlock[] }
  | { readonly type: 'bye'; readonly ssrcs: number[] }
  | { readonly type: 'other'; readonly packetType: number };

export type RtcpParseResult = { readonly ok: true; readonly packets: RtcpPacket[] } | { readonly ok: false; readonly reason: 'too-short' | 'bad-version' | 'malformed' };

const PT_SR = 200;
const PT_RR = 201;
const PT_SDES = 202;
const PT_BYE = 203;

function readBlocks(view: DataView, at: number, count: number): ReportBlock[] {
  const blocks: ReportBlock[] = [];
  for (let i = 0; i < count; i++, at += 24) {
    const word = view.getUint32(at + 4);
    blocks.push({
      ssrc: view.getUint32(at),
      fractionLost: word >>> 24,
      cumulativeLost: (word << 8) >> 8, // sign-extend 24 bits
      highestSeq: view.getUint32(at + 8),
      jitter: view.getUint32(at + 12),
      lastSr: view.getUint32(at + 16),
      delaySinceLastSr: view.getUint32(at + 20),
    });
  }
  return blocks;
}

/** Parses a compound RTCP datagram (§6.1); never throws. */
export function parseRtcp(buf: Uint8Array): RtcpParseResult {
  if (buf.length < 8) return { ok: false, reason: 'too-short' };
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const packets: RtcpPacket[] = [];
  let at = 0;
  while (at + 4 <= buf.length) {
    const b0 = buf[at]!;
    if (b0 >> 6 !== 2) return { ok: false, reason: 'bad-version' };
    const count = b0 & 0x1f;
    const pt = buf[at + 1]!;
    const len = (view.getUint16(at + 2) + 1) * 4;
    if (at + len > buf.length) return { ok: false, reason: 'malformed' };
    if (pt === PT_SR || pt === PT_RR) {
      const fixed = pt === PT_SR ? 28 : 8;
      if (fixed + count * 24 > len) return { ok: false, reason: 'malformed' };
      const ssrc = view.getUint32(at + 4);
      const reports = readBlocks(view, at + fixed, count);
      packets.push(
        pt === PT_SR
          ? { type: 'sr', ssrc, ntpMsw: view.getUint32(at + 8), ntpLsw: view.getUint32(at + 12), rtpTimestamp: view.getUint32(at + 16), packetCount: view.getUint32(at + 20), octetCount: view.getUint32(at + 24), reports }
          : { type: 'rr', ssrc, reports },
      );
    } else if (pt === PT_BYE) {
      if (4 + count * 4 > len) return { ok: false, reason: 'malformed' };
      const ssrcs: number[] = [];
      for (let i = 0; i < count; i++) ssrcs.push(view.getUint32(at + 4 + i * 4));
      packets.push({ type: 'bye', ssrcs });
    } else {
      packets.push({ type: 'other', packetType: pt });
    }
    at += len;
  }
  return at === buf.length ? { ok: true, packets } : { ok: false, reason: 'malformed' };
}

/**
 * A compound receiver report (§6.1: every compound packet starts with SR or RR and carries an SDES
 * CNAME): RR with at most one block (we receive one source), then SDES with our CNAME.
 */
export function writeReceiverReport(ssrc: number, cname: string, block: ReportBlock | undefined, out: Uint8Array): number {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const rrLen = 8 + (block ? 24 : 0);
  out[0] = 0x80 | (block ? 1 : 0);
  out[1] = PT_RR;
  view.setUint16(2, rrLen / 4 - 1);
  view.setUint32(4, ssrc >>> 0);
  if (block) {
    view.setUint32(8, block.ssrc >>> 0);
    view.setUint32(12, (((block.fractionLost & 0xff) << 24) | (block.cumulativeLost & 0xffffff)) >>> 0);
    view.setUint32(16, block.highestSeq >>> 0);
    view.setUint32(20, block.jitter >>> 0);
    view.setUint32(24, block.lastSr >>> 0);
    view.setUint32(28, block.delaySinceLastSr >>> 0);
  }
  // SDES chunk (§6.5): SSRC, CNAME item (type 1, length, text), null item, padded to 32 bits.
  const name = new TextEncoder().encode(cname).subarray(0, 255);
  const chunk = 4 + 2 + name.length + 1;
  const sdesLen = 4 + Math.ceil(chunk / 4) * 4;
  const s = rrLen;
  out.fill(0, s, s + sdesLen);
  out[s] = 0x81;
  out[s + 1] = PT_SDES;
  view.setUint16(s + 2, sdesLen / 4 - 1);
  view.setUint32(s + 4, ssrc >>> 0);
  out[s + 8] = 1;
  out[s + 9] = name.length;
  out.set(name, s + 10);
  return rrLen + sdesLen;
}
