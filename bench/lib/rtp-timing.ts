import type { UdpRecord } from './pcap.ts';
import { percentileSorted } from './stats.ts';

/**
 * Outbound packet timing measured on the wire: the capture timestamps of one sender's RTP packets,
 * grouped by stream (source port + SSRC), turned into inter-packet intervals. The interval error of
 * a packet is |Δt − ptime|; a late packet followed by an on-time one shows as two errors, which is
 * how a listener's jitter buffer sees it too (RFC 3550 §6.4.1 measures the same transit difference).
 *
 * Frames lost by the sender show as gaps in the RTP sequence number (RFC 3550 §5.1: it increments by
 * one per packet sent); RTCP on the odd port and packets with a payload type in 72..76 (RTCP's
 * range, RFC 5761 §4) are ignored.
 */

export interface StreamTiming {
  readonly key: string;
  readonly packets: number;
  /** Missing sequence numbers between the first and last packet seen. */
  readonly lost: number;
  /** Packets seen twice (same sequence number). */
  readonly duplicates: number;
}

export interface TimingSummary {
  readonly streams: number;
  readonly packets: number;
  readonly intervals: number;
  readonly lost: number;
  readonly duplicates: number;
  /** |interval − ptime| percentiles over every interval of every stream, in ms. */
  readonly errP50Ms: number;
  readonly errP99Ms: number;
  readonly errMaxMs: number;
  /** Share of intervals whose error is at least 5 ms. */
  readonly over5msShare: number;
  readonly perStream: readonly StreamTiming[];
}

interface Acc {
  lastTsUs: number;
  lastSeq: number;
  packets: number;
  lost: number;
  duplicates: number;
}

export interface TimingOptions {
  readonly ptimeMs?: number;
  /** Keep only packets whose source port passes (e.g. the gateway's RTP range). */
  readonly fromPort?: (port: number) => boolean;
  /** Ignore packets captured before / after these times (µs): the steady window. */
  readonly fromUs?: number;
  readonly toUs?: number;
}

export function rtpTiming(records: readonly UdpRecord[], opts: TimingOptions = {}): TimingSummary {
  const ptimeUs = (opts.ptimeMs ?? 20) * 1000;
  const streams = new Map<string, Acc>();
  const errors: number[] = [];
  for (const r of records) {
    if (opts.fromPort && !opts.fromPort(r.srcPort)) continue;
    if (r.srcPort % 2 === 1) continue; // RTCP (RFC 3550 §11)
    if (opts.fromUs !== undefined && r.tsUs < opts.fromUs) continue;
    if (opts.toUs !== undefined && r.tsUs > opts.toUs) continue;
    const p = r.payload;
    if (p.length < 12 || (p[0] ?? 0) >> 6 !== 2) continue;
    const pt = (p[1] ?? 0) & 0x7f;
    if (pt >= 72 && pt <= 76) continue;
    const seq = ((p[2] ?? 0) << 8) | (p[3] ?? 0);
    const ssrc = (((p[8] ?? 0) << 24) | ((p[9] ?? 0) << 16) | ((p[10] ?? 0) << 8) | (p[11] ?? 0)) >>> 0;
    const key = `${r.srcPort}/${ssrc}`;
    const s = streams.get(key);
    if (!s) {
      streams.set(key, { lastTsUs: r.tsUs, lastSeq: seq, packets: 1, lost: 0, duplicates: 0 });
      continue;
    }
    const step = (seq - s.lastSeq) & 0xffff;
    if (step === 0 || step > 0x8000) {
      s.duplicates++; // repeated or reordered (older) packet: no interval
      continue;
    }
    s.lost += step - 1;
    // The interval is per packet slot: a gap of k packets spans k+1 ptimes.
    errors.push(Math.abs(r.tsUs - s.lastTsUs - step * ptimeUs) / 1000);
    s.lastTsUs = r.tsUs;
    s.lastSeq = seq;
    s.packets++;
  }
  const sorted = Float64Array.from(errors).sort();
  let over = 0;
  for (const e of sorted) if (e >= 5) over++;
  const perStream: StreamTiming[] = [];
  let packets = 0;
  let lost = 0;
  let duplicates = 0;
  for (const [key, s] of streams) {
    perStream.push({ key, packets: s.packets, lost: s.lost, duplicates: s.duplicates });
    packets += s.packets;
    lost += s.lost;
    duplicates += s.duplicates;
  }
  return {
    streams: streams.size,
    packets,
    intervals: sorted.length,
    lost,
    duplicates,
    errP50Ms: percentileSorted(sorted, 50),
    errP99Ms: percentileSorted(sorted, 99),
    errMaxMs: sorted.length ? (sorted[sorted.length - 1] as number) : NaN,
    over5msShare: sorted.length ? over / sorted.length : NaN,
    perStream,
  };
}
