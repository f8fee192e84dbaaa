import type { Playout } from '../playout.ts';
import type { RtpSender } from './rtp-sender.ts';

/** `hold`: no peer address yet, or a direction in which we do not send (the clock runs on). */
export type SendState = 'send' | 'hold';

export interface OutboundOptions {
  readonly sender: RtpSender;
  readonly playout: Playout;
  readonly send: (packet: Uint8Array) => void;
}

/**
 * The caller-bound half of an RTP leg: which packet fills each 20 ms slot of the stream, and when a
 * talkspurt's first packet may leave before its slot's tick. Pure of clocks and sockets: the leg calls
 * `tick()` on every pacer tick and `ahead()` when its Playout says a talkspurt is ready, and hands
 * each packet to `send` (a view valid only during the call).
 *
 *   slot:      k        k+1       k+2
 *   tick:      |silence  |(none)   |speech …
 *   ahead:        ▲ speech (slot k+1's sequence and timestamp, marker set), sent at once
 *
 * We send comfort silence while the agent is quiet, so slots run on unbroken and the early packet
 * simply keeps the sequence number and timestamp of its own slot: RFC 3550 §5.1 continuity holds, and
 * RFC 3551 §4.1's timestamp jump after silence is not needed. It is at most one frame (< 20 ms) ahead
 * of the media clock and never more than one packet ahead of the ticks: it goes only at a talkspurt's
 * start (the last packet was not speech) and only once per slot. A receiver's jitter buffer holds
 * such a packet a little longer; it drops packets that are too late or beyond its depth, and one
 * frame early is neither.
 */
export class RtpOutbound {
  readonly #sender: RtpSender;
  readonly #playout: Playout;
  readonly #send: (packet: Uint8Array) => void;
  readonly #pcm: Int16Array;
  /** The coming tick's packet already left (`ahead`). */
  #sentAhead = false;
  /** The last packet carried agent speech: a talkspurt is under way, and the ticks pace it. */
  #inTalkspurt = false;
  /** Talkspurts whose first packet left before its tick. */
  early = 0;

  constructor(opts: OutboundOptions) {
    this.#sender = opts.sender;
    this.#playout = opts.playout;
    this.#send = opts.send;
    this.#pcm = new Int16Array(Math.floor(opts.playout.sampleRate / 50));
  }

  /** One pacer tick. `hold`: no peer address yet, or a direction in which we do not send. */
  tick(state: SendState): void {
    if (this.#sentAhead) {
      // This slot's packet went out early; the sender's sequence and timestamp already moved on.
      this.#sentAhead = false;
      return;
    }
    this.#inTalkspurt = false;
    if (state === 'hold') return this.#sender.skip();
    let packet: Uint8Array | undefined;
    if (this.#sender.dtmfActive) packet = this.#sender.dtmf();
    if (!packet) {
      // Agent audio waits while DTMF owns the stream; otherwise comfort silence keeps media flowing.
      const speech = !this.#sender.dtmfActive && this.#playout.pullInto(this.#pcm);
      if (!speech) this.#pcm.fill(0);
      this.#inTalkspurt = speech;
      packet = this.#sender.audio(this.#pcm, speech);
    }
    this.#send(packet);
  }

  /** The Playout has a talkspurt ready between ticks: send its first frame now as the coming slot's packet. */
  ahead(state: SendState): boolean {
    if (state === 'hold' || this.#sentAhead || this.#inTalkspurt || this.#sender.dtmfActive) return false;
    if (!this.#playout.pullInto(this.#pcm)) return false;
    this.#sentAhead = true;
    this.#inTalkspurt = true;
    this.early++;
    this.#send(this.#sender.audio(this.#pcm, true));
    return true;
  }
}
