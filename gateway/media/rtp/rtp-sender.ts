import { randomInt } from 'node:crypto';
import type { Encoder } from '../../../codecs/types.ts';
import { MediaError } from '../../errors.ts';
import type { DtmfDigit } from '../dtmf.ts';
import { telephoneEventPackets, type TelephoneEventPacket } from './dtmf-rfc4733.ts';
import { RTP_HEADER_BYTES, writeRtp, writeRtpHeader } from './packet.ts';

/**
 * The outbound stream of one leg, one packet per 20 ms tick (pure: the leg owns clock and socket).
 * Sequence and timestamp run on without gaps — the timestamp advances clockRate/50 every tick,
 * whether we send speech, comfort silence, a DTMF event or nothing (hold), so the far end's
 * jitter buffer and clock recovery never see a discontinuity (RFC 3550 §5.1). Each packet returned
 * is a view of one preallocated buffer, valid until the next call.
 */
export interface RtpSenderOptions {
  readonly encoder: Encoder;
  readonly telephoneEventPt?: number;
  readonly ssrc?: number;
  /** Silent ticks between two digits of one `queueDtmf` call. */
  readonly interDigitTicks?: number;
}

interface PendingDigits {
  readonly digits: DtmfDigit[];
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

/** Room for any 20 ms frame we encode (opus at its highest rate stays far below). */
const MAX_PACKET = 1500;

export class RtpSender {
  readonly ssrc: number;
  readonly #encoder: Encoder;
  readonly #tePt: number | undefined;
  readonly #step: number;
  readonly #gapTicks: number;
  readonly #buf = new Uint8Array(MAX_PACKET);
  #seq = randomInt(0, 0x10000); // §5.1: random initial values, against known-plaintext attacks
  #ts = randomInt(0, 0x100000000);
  /** True when the next audio packet starts a talkspurt and takes the marker bit. */
  #talkspurtStart = true;
  readonly #queue: PendingDigits[] = [];
  /** Packets left of the event being sent, and that event's start timestamp. */
  #event: { packets: TelephoneEventPacket[]; ts: number } | undefined;
  #gapLeft = 0;
  packetsSent = 0;

  constructor(opts: RtpSenderOptions) {
    this.#encoder = opts.encoder;
    this.#tePt = opts.telephoneEventPt;
    this.ssrc = opts.ssrc ?? randomInt(0, 0x100000000);
    this.#step = opts.encoder.info.clockRate / 50;
    this.#gapTicks = opts.interDigitTicks ?? 3;
  }

  /** True while a DTMF event (or the gap after it) owns the ticks: audio waits. */
  get dtmfActive(): boolean {
    return this.#event !== undefined || this.#queue.length > 0 || this.#gapLeft > 0;
  }

  /** One tick of audio; `speech` false means comfort silence (a talkspurt starts at the next speech). */
  audio(pcm: Int16Array, speech: boolean): Uint8Array {
    const marker = speech && this.#talkspurtStart;
    if (speech) this.#talkspurtStart = false;
    else this.#talkspurtStart = true;
    const n = this.#encoder.encodeInto(pcm, this.#buf.subarray(RTP_HEADER_BYTES));
    writeRtpHeader({ marker, payloadType: this.#encoder.info.payloadType, sequence: this.#seq, timestamp: this.#ts, ssrc: this.ssrc }, this.#buf);
    return this.#advance(RTP_HEADER_BYTES + n);
  }

  /** A tick in which nothing is sent (hold): the clock runs on, the next speech is a new talkspurt. */
  skip(): void {
    this.#ts = (this.#ts + this.#step) >>> 0;
    this.#talkspurtStart = true;
  }

  /** The next DTMF packet when `dtmfActive`; undefined during the gap after a digit (send audio then). */
  dtmf(): Uint8Array | undefined {
    if (this.#gapLeft > 0) {
      this.#gapLeft--;
      if (this.#gapLeft === 0 && !this.#event) this.#finishDigit();
      return undefined;
    }
    if (!this.#event) {
      const pending = this.#queue[0];
      const digit = pending?.digits[0];
      if (!pending || !digit) return undefined;
      // All packets of one event carry the timestamp of its start (RFC 4733 §2.5.1.1).
      this.#event = { packets: telephoneEventPackets(digit, { clockRate: this.#encoder.info.clockRate }), ts: this.#ts };
    }
    const ev = this.#event;
    const p = ev.packets.shift()!;
    const len = writeRtp({ marker: p.marker, payloadType: this.#tePt!, sequence: this.#seq, timestamp: ev.ts, ssrc: this.ssrc }, p.payload, this.#buf);
    if (ev.packets.length === 0) {
      this.#event = undefined;
      this.#gapLeft = this.#gapTicks;
      this.#talkspurtStart = true;
      if (this.#gapLeft === 0) this.#finishDigit();
    }
    return this.#advance(len);
  }

  /** Queues digits; resolves when the last end packet of the last digit has been sent. */
  queueDtmf(digits: readonly DtmfDigit[]): Promise<void> {
    if (this.#tePt === undefined) return Promise.reject(new MediaError('peer did not offer telephone-event (RFC 4733)', 488));
    if (digits.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.#queue.push({ digits: [...digits], resolve, reject }));
  }

  /** Rejects digits not yet sent (the leg is closing). */
  abort(): void {
    for (const p of this.#queue.splice(0)) p.reject(new MediaError('media leg closed before DTMF was sent'));
    this.#event = undefined;
    this.#gapLeft = 0;
  }

  #finishDigit(): void {
    const pending = this.#queue[0];
    if (!pending) return;
    pending.digits.shift();
    if (pending.digits.length === 0) {
      this.#queue.shift();
      pending.resolve();
    }
  }

  #advance(len: number): Uint8Array {
    this.#seq = (this.#seq + 1) & 0xffff;
    this.#ts = (this.#ts + this.#step) >>> 0;
    this.packetsSent++;
    return this.#buf.subarray(0, len);
  }
}
