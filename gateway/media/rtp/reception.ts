import { seqDelta } from './packet.ts';
import type { ReportBlock } from './rtcp.ts';

/**
 * What a receiver report says about one inbound source (RFC 3550 A.3): packets expected from the
 * extended highest sequence number (with wrap cycles) against packets received, over the whole call
 * and since the previous report, plus LSR/DLSR from the last sender report (§6.4.1). Pure.
 */
export class ReceptionStats {
  #ssrc: number | undefined;
  #baseSeq = 0;
  /** Extended highest sequence number: cycles << 16 | seq. */
  #maxExt = 0;
  #received = 0;
  #expectedPrior = 0;
  #receivedPrior = 0;
  #lastSr = 0;
  #lastSrAtMs: number | undefined;

  /** Counts one accepted packet. A new SSRC restarts the counts (§8.2). */
  onPacket(ssrc: number, seq: number): void {
    if (this.#ssrc !== ssrc) {
      this.#ssrc = ssrc;
      this.#baseSeq = seq;
      this.#maxExt = seq;
      this.#received = 0;
      this.#expectedPrior = 0;
      this.#receivedPrior = 0;
    }
    this.#received++;
    const d = seqDelta(this.#maxExt & 0xffff, seq);
    if (d > 0) this.#maxExt += d; // carries into the cycle count on wrap
  }

  /** Notes a sender report: LSR is the middle 32 bits of its NTP timestamp. */
  onSenderReport(ntpMsw: number, ntpLsw: number, nowMs: number): void {
    this.#lastSr = (((ntpMsw & 0xffff) << 16) | (ntpLsw >>> 16)) >>> 0;
    this.#lastSrAtMs = nowMs;
  }

  get expected(): number {
    return this.#ssrc === undefined ? 0 : this.#maxExt - this.#baseSeq + 1;
  }

  get lost(): number {
    return this.expected - this.#received;
  }

  /** The block for the next report; starts a new interval for `fractionLost`. */
  reportBlock(jitterUnits: number, nowMs: number): ReportBlock | undefined {
    if (this.#ssrc === undefined) return undefined;
    const expected = this.expected;
    const expectedInterval = expected - this.#expectedPrior;
    const lostInterval = expectedInterval - (this.#received - this.#receivedPrior);
    this.#expectedPrior = expected;
    this.#receivedPrior = this.#received;
    const fraction = expectedInterval <= 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval * 256) / expectedInterval);
    const lost = Math.max(-0x800000, Math.min(0x7fffff, this.lost));
    // DLSR is in units of 1/65536 s.
    const dlsr = this.#lastSrAtMs === undefined ? 0 : Math.round(((nowMs - this.#lastSrAtMs) * 65536) / 1000);
    return {
      ssrc: this.#ssrc,
      fractionLost: Math.min(255, fraction),
      cumulativeLost: lost,
      highestSeq: this.#maxExt >>> 0,
      jitter: jitterUnits,
      lastSr: this.#lastSr,
      delaySinceLastSr: this.#lastSrAtMs === undefined ? 0 : dlsr >>> 0,
    };
  }
}
