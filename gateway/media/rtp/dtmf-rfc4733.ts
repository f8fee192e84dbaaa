import { digitFromEvent, eventFromDigit, type DtmfDigit, type DtmfEvent } from '../dtmf.ts';

/**
 * DTMF as RTP telephone-events (RFC 4733). Payload of one packet (§2.3):
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     event     |E|R| volume    |          duration             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * One event is many packets sharing the RTP timestamp of its start (§2.5.1): the first with the
 * marker bit, updates with a growing duration, and the final duration sent three times with E=1
 * (§2.5.1.4). The timestamp is therefore the event's identity.
 */

export interface TelephoneEvent {
  readonly event: number;
  readonly end: boolean;
  /** 0..63, in -dBm0 (so larger is quieter). */
  readonly volume: number;
  /** Since the event began, in RTP timestamp units. */
  readonly duration: number;
}

export function parseTelephoneEvent(payload: Uint8Array): TelephoneEvent | undefined {
  if (payload.length < 4) return undefined;
  return {
    event: payload[0]!,
    end: (payload[1]! & 0x80) !== 0,
    volume: payload[1]! & 0x3f,
    duration: (payload[2]! << 8) | payload[3]!,
  };
}

export function writeTelephoneEvent(ev: TelephoneEvent, out: Uint8Array): number {
  out[0] = ev.event & 0xff;
  out[1] = (ev.end ? 0x80 : 0) | (ev.volume & 0x3f);
  out[2] = (ev.duration >> 8) & 0xff;
  out[3] = ev.duration & 0xff;
  return 4;
}

interface Current {
  timestamp: number;
  event: number;
  duration: number;
  lastPacketMs: number;
}

/**
 * Turns a telephone-event stream into one DtmfEvent per key press. Pure: arrival times are passed
 * in, and `poll()` (called on the leg's tick) reports an event whose end packets were all lost.
 */
export class Rfc4733Receiver {
  readonly #clockRate: number;
  readonly #timeoutMs: number;
  #current: Current | undefined;
  /** Timestamp of the last event reported, so its remaining end packets are ignored. */
  #reportedTs: number | undefined;

  constructor(opts: { clockRate: number; timeoutMs?: number }) {
    this.#clockRate = opts.clockRate;
    this.#timeoutMs = opts.timeoutMs ?? 800;
  }

  push(packet: { readonly timestamp: number; readonly marker: boolean; readonly payload: Uint8Array }, nowMs: number): DtmfEvent[] {
    const te = parseTelephoneEvent(packet.payload);
    if (!te || packet.timestamp === this.#reportedTs) return [];
    const out: DtmfEvent[] = [];
    const cur = this.#current;
    if (cur && cur.timestamp !== packet.timestamp) {
      if (cur.event === te.event && !packet.marker) {
        // §2.5.1.3: a long event whose duration overflowed continues under a new timestamp.
        cur.timestamp = packet.timestamp;
      } else {
        // A new event began while the old one never ended for us: its end packets were lost.
        this.#report(cur, out);
      }
    }
    const live = this.#current ?? { timestamp: packet.timestamp, event: te.event, duration: 0, lastPacketMs: nowMs };
    this.#current = live;
    live.duration = Math.max(live.duration, te.duration);
    live.lastPacketMs = nowMs;
    if (te.end) this.#report(live, out);
    return out;
  }

  /** Reports an event that stopped receiving packets without an end (all three end packets lost). */
  poll(nowMs: number): DtmfEvent | undefined {
    const cur = this.#current;
    if (!cur || nowMs - cur.lastPacketMs < this.#timeoutMs) return undefined;
    const out: DtmfEvent[] = [];
    this.#report(cur, out);
    return out[0];
  }

  #report(cur: Current, out: DtmfEvent[]): void {
    this.#current = undefined;
    this.#reportedTs = cur.timestamp;
    const digit = digitFromEvent(cur.event);
    // Events 16+ (flash, tones of §3.2's other tables) are not digits; they are consumed silently.
    if (digit) out.push({ digit, durationMs: Math.round((cur.duration * 1000) / this.#clockRate), source: 'rfc4733' });
  }
}

/** One packet of an outgoing event: the sender stamps seq, the event's start timestamp, its own PT. */
export interface TelephoneEventPacket {
  readonly marker: boolean;
  readonly payload: Uint8Array;
}

export interface DtmfSendOptions {
  readonly clockRate: number;
  readonly durationMs?: number;
  readonly volume?: number;
  readonly frameMs?: number;
}

/**
 * The packets of one digit, one per 20 ms tick (§2.5.1): marker on the first, the duration growing
 * by a frame each time, then the final duration three times with E=1 (§2.5.1.4, for loss).
 */
export function telephoneEventPackets(digit: DtmfDigit, opts: DtmfSendOptions): TelephoneEventPacket[] {
  const frameMs = opts.frameMs ?? 20;
  const frame = (opts.clockRate * frameMs) / 1000;
  const frames = Math.max(2, Math.ceil((opts.durationMs ?? 100) / frameMs));
  const event = eventFromDigit(digit);
  const volume = opts.volume ?? 10;
  const packets: TelephoneEventPacket[] = [];
  const make = (duration: number, end: boolean, marker: boolean): void => {
    const payload = new Uint8Array(4);
    writeTelephoneEvent({ event, end, volume, duration: Math.min(0xffff, duration) }, payload);
    packets.push({ marker, payload });
  };
  for (let i = 1; i < frames; i++) make(i * frame, false, i === 1);
  for (let i = 0; i < 3; i++) make(frames * frame, true, false);
  return packets;
}
