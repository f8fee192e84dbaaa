/**
 * A minimal reader and writer of classic libpcap files (not pcapng), enough for what tcpdump writes
 * with `-w` and what SIPp's play_pcap_audio reads: UDP over IPv4, on Ethernet (DLT 1, which Linux
 * uses for `lo`), Linux cooked v1 (113) or raw IP (101).
 *
 *   global header (24 bytes): magic a1b2c3d4 (µs) or a1b23c4d (ns), version, thiszone, sigfigs,
 *                             snaplen, linktype
 *   record header (16 bytes): ts_sec, ts_frac, incl_len, orig_len, then incl_len bytes of packet
 */

export interface UdpRecord {
  /** Capture time in microseconds (kernel timestamp). */
  readonly tsUs: number;
  readonly srcPort: number;
  readonly dstPort: number;
  /** The UDP payload as captured (may be cut short by the snap length). */
  readonly payload: Uint8Array;
}

const LINK_ETHERNET = 1;
const LINK_RAW = 101;
const LINK_LINUX_SLL = 113;

function linkHeaderBytes(linktype: number, pkt: Uint8Array): number | null {
  if (linktype === LINK_RAW) return 0;
  const dv = new DataView(pkt.buffer, pkt.byteOffset, pkt.byteLength);
  if (linktype === LINK_ETHERNET) return pkt.length >= 14 && dv.getUint16(12) === 0x0800 ? 14 : null;
  if (linktype === LINK_LINUX_SLL) return pkt.length >= 16 && dv.getUint16(14) === 0x0800 ? 16 : null;
  return null;
}

/** Every IPv4/UDP packet of a pcap file; other packets are skipped. Throws on a file that is not pcap. */
export function readUdpPcap(buf: Uint8Array): UdpRecord[] {
  if (buf.length < 24) throw new Error('pcap: file shorter than its global header');
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magicBE = dv.getUint32(0, false);
  const magicLE = dv.getUint32(0, true);
  let le: boolean;
  let nano: boolean;
  if (magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d) {
    le = true;
    nano = magicLE === 0xa1b23c4d;
  } else if (magicBE === 0xa1b2c3d4 || magicBE === 0xa1b23c4d) {
    le = false;
    nano = magicBE === 0xa1b23c4d;
  } else {
    throw new Error('pcap: bad magic (pcapng is not supported)');
  }
  const linktype = dv.getUint32(20, le);
  const out: UdpRecord[] = [];
  let off = 24;
  // Bounded by the file length: every record advances by at least its 16-byte header.
  while (off + 16 <= buf.length) {
    const sec = dv.getUint32(off, le);
    const frac = dv.getUint32(off + 4, le);
    const incl = dv.getUint32(off + 8, le);
    off += 16;
    if (off + incl > buf.length) break; // truncated last record (capture stopped mid-write)
    const pkt = buf.subarray(off, off + incl);
    off += incl;
    const l2 = linkHeaderBytes(linktype, pkt);
    if (l2 === null || pkt.length < l2 + 20) continue;
    const ip = pkt.subarray(l2);
    if (ip[0] === undefined || ip[0] >> 4 !== 4 || ip[9] !== 17) continue;
    const ihl = (ip[0] & 0x0f) * 4;
    if (ip.length < ihl + 8) continue;
    const udp = ip.subarray(ihl);
    const u = new DataView(udp.buffer, udp.byteOffset, udp.byteLength);
    out.push({
      tsUs: sec * 1e6 + (nano ? frac / 1000 : frac),
      srcPort: u.getUint16(0),
      dstPort: u.getUint16(2),
      payload: udp.subarray(8),
    });
  }
  return out;
}

export interface UdpToWrite {
  readonly tsUs: number;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly payload: Uint8Array;
}

/**
 * A pcap (µs, Ethernet) of IPv4/UDP packets from 127.0.0.1 to 127.0.0.1 — what SIPp's
 * play_pcap_audio replays (it keeps the payload and the timing, and rewrites addresses and ports).
 * IP and UDP checksums are left 0 (UDP: "no checksum", RFC 768; SIPp recomputes what it sends).
 */
export function writeUdpPcap(packets: readonly UdpToWrite[]): Uint8Array {
  const size = 24 + packets.reduce((n, p) => n + 16 + 14 + 20 + 8 + p.payload.length, 0);
  const buf = new Uint8Array(size);
  const dv = new DataView(buf.buffer);
  dv.setUint32(0, 0xa1b2c3d4, true);
  dv.setUint16(4, 2, true);
  dv.setUint16(6, 4, true);
  dv.setUint32(16, 65535, true);
  dv.setUint32(20, LINK_ETHERNET, true);
  let off = 24;
  for (const p of packets) {
    const len = 14 + 20 + 8 + p.payload.length;
    dv.setUint32(off, Math.floor(p.tsUs / 1e6), true);
    dv.setUint32(off + 4, Math.round(p.tsUs % 1e6), true);
    dv.setUint32(off + 8, len, true);
    dv.setUint32(off + 12, len, true);
    off += 16;
    dv.setUint16(off + 12, 0x0800); // Ethernet type IPv4; MAC addresses stay zero
    const ip = off + 14;
    buf[ip] = 0x45;
    dv.setUint16(ip + 2, 20 + 8 + p.payload.length);
    buf[ip + 8] = 64; // TTL
    buf[ip + 9] = 17; // UDP
    dv.setUint32(ip + 12, 0x7f000001);
    dv.setUint32(ip + 16, 0x7f000001);
    const udp = ip + 20;
    dv.setUint16(udp, p.srcPort);
    dv.setUint16(udp + 2, p.dstPort);
    dv.setUint16(udp + 4, 8 + p.payload.length);
    buf.set(p.payload, udp + 8);
    off = udp + 8 + p.payload.length;
  }
  return buf;
}
