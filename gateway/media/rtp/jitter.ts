import { tsDelta } from './packet.ts';

/**
 * Interarrival jitter estimate of RFC 3550 §6.4.1 (code in A.8): the mean deviation of the
 * difference D between packet spacing at the receiver and at the sender, smoothed with gain 1/16:
 *
 *   D(i-1,i) = (R_i - R_{i-1}) - (S_i - S_{i-1})
 *   J_i      = J_{i-1} + (|D(i-1,i)| - J_{i-1}) / 16
 *
 * Both spacings are in RTP timestamp units. Working from differences (not absolute transit times)
 * keeps the 32-bit timestamp wrap harmless. Pure: arrival times are passed in.
 */
export class InterarrivalJitter {
  readonly #clockRate: number;
  #jitter = 0;
  #lastArrivalMs: number | undefined;
  #lastTs = 0;

  constructor(clockRate: number) {
    this.#clockRate = clockRate;
  }

  /** Feeds one packet's RTP timestamp and its arrival time in ms (any monotonic clock). */
  update(rtpTimestamp: number, arrivalMs: number): void {
    if (this.#lastArrivalMs !== undefined) {
      const recv = ((arrivalMs - this.#lastArrivalMs) * this.#clockRate) / 1000;
      const sent = tsDelta(this.#lastTs, rtpTimestamp);
      const d = Math.abs(recv - sent);
      this.#jitter += (d - this.#jitter) / 16;
    }
    this.#lastArrivalMs = arrivalMs;
    this.#lastTs = rtpTimestamp;
  }

  /** Forgets the previous packet (new SSRC or resync), keeping the estimate so far. */
  restart(): void {
    this.#lastArrivalMs = undefined;
  }

  /** Jitter in RTP timestamp units, as an RTCP report block carries it (§6.4.1). */
  get units(): number {
    return Math.round(this.#jitter);
  }

  get ms(): number {
    return (this.#jitter * 1000) / this.#clockRate;
  }
}
