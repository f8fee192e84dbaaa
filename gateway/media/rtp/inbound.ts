import { CodecDataError, createDecoder } from '../../../codecs/index.ts';
import { samplesPer20ms, type CodecInfo, type Decoder } from '../../../codecs/types.ts';
import { metrics } from '../../metrics.ts';
import { nullSink, type AudioSink } from '../audio-sink.ts';
import { ArrivalRelease, type Release } from './arrival-release.ts';
import { JitterBuffer, type JitterPush } from './jitter-buffer.ts';
import type { RtpPacket } from './packet.ts';

/**
 * When caller frames leave the jitter buffer:
 *   `arrival` — as soon as they are in order (arrival-release.ts), the tick only timing out gaps and
 *               filling pauses: for consumers that are models, VAD and STT, never an ear;
 *   `paced`   — one per 20 ms tick after prebuffering to the adaptive target (a smooth stream, for
 *               anything that plays the audio out in real time).
 */
export type RxRelease = 'arrival' | 'paced';

export interface InboundOptions {
  readonly codec: CodecInfo;
  readonly jitter: { readonly min: number; readonly max: number };
  readonly release: RxRelease;
}

/**
 * The caller-to-agent half of an RTP leg: jitter buffer → decode / FEC / conceal → sink, with the
 * consumer's timeline (AudioFrame.timestamp) advancing by exactly the samples delivered, one frame per
 * packet, lost packet or silent tick. Pure of sockets and timers: the leg calls `push` per packet and
 * `tick` per pacer tick.
 */
export class RtpInbound {
  readonly jb: JitterBuffer<RtpPacket>;
  readonly #codec: CodecInfo;
  readonly #sampleRate: number;
  readonly #release: ArrivalRelease<RtpPacket> | undefined;
  readonly #decoder: Decoder;
  readonly #pcm: Int16Array;
  #sink: AudioSink = nullSink;
  #timeline = 0;
  #started = false;
  /** How long the last played packet waited in the jitter buffer (dates concealed and silent frames). */
  #delayMs = 0;
  /** The arrival time given to the last frame delivered. */
  #lastDated = -Infinity;
  /** Jitter-buffer counts already added to the metrics (it counts some losses on its own, when trimming). */
  #lostCounted = 0;
  #overflowCounted = 0;
  /** Overflow drops reported so far (the leg adds them to its dropped count). */
  overflowDropped = 0;

  constructor(opts: InboundOptions) {
    this.#codec = opts.codec;
    this.#sampleRate = opts.codec.sampleRate;
    const arrival = opts.release === 'arrival';
    this.jb = new JitterBuffer({ minMs: opts.jitter.min, maxMs: opts.jitter.max, clockRate: opts.codec.clockRate, inOrderRelease: arrival });
    this.#release = arrival ? new ArrivalRelease(this.jb, { maxAheadMs: opts.jitter.max }) : undefined;
    this.#decoder = createDecoder(opts.codec);
    // Room for a peer whose packets are longer than 20 ms (ptime up to 120 ms).
    this.#pcm = new Int16Array(samplesPer20ms(this.#sampleRate) * 6);
  }

  get sink(): AudioSink {
    return this.#sink;
  }

  connect(sink: AudioSink): void {
    this.#sink = sink;
  }

  /** A packet from the wire (audio or telephone-event: both take their slot in the sequence). */
  push(packet: RtpPacket, now: number): JitterPush {
    const r = this.jb.push(packet, now);
    if (r === 'queued' || r === 'resync') {
      if (this.#release) for (const x of this.#release.onArrival(now)) this.#deliver(x, now);
    }
    this.#count();
    return r;
  }

  tick(now: number): void {
    if (this.#release) {
      for (const x of this.#release.onTick(now)) this.#deliver(x, now);
    } else {
      const r = this.jb.pop();
      // Keep the caller's timeline running through pauses, once the stream has begun.
      if (r.kind !== 'empty' || this.#started) this.#deliver(r.kind === 'empty' ? { kind: 'silence' } : r, now);
    }
    this.#count();
  }

  close(): void {
    this.#decoder.close?.();
  }

  #deliver(r: Release<RtpPacket>, now: number): void {
    let n: number;
    if (r.kind === 'frame') {
      this.#delayMs = Math.max(0, now - r.arrivalMs);
      n = r.packet.payloadType === this.#codec.payloadType ? this.#decode(r.packet.payload) : this.#silence();
    } else if (r.kind === 'lost') {
      n = this.#fillLost();
    } else {
      n = this.#silence();
    }
    this.#started = true;
    // A frame without a packet is dated as if its packet had waited as long as the last one did, and
    // never later than a frame after the last one (released on arrival, a lost frame leaves only once
    // its gap has timed out, but its packet was due right after the frame before).
    const arrivalMs = r.kind === 'frame' ? r.arrivalMs : Math.min(now - this.#delayMs, this.#lastDated + (n * 1000) / this.#sampleRate);
    this.#lastDated = arrivalMs;
    const frame = { samples: this.#pcm.subarray(0, n), sampleRate: this.#sampleRate, timestamp: this.#timeline, arrivalMs };
    this.#timeline += n;
    this.#sink.write(frame);
  }

  #count(): void {
    const { lost, overflow } = this.jb.stats;
    if (lost > this.#lostCounted) metrics.rtpPacketsLost.inc(lost - this.#lostCounted);
    if (overflow > this.#overflowCounted) {
      metrics.rtpPacketsDropped.inc({ reason: 'overflow' }, overflow - this.#overflowCounted);
      this.overflowDropped += overflow - this.#overflowCounted;
    }
    this.#lostCounted = lost;
    this.#overflowCounted = overflow;
  }

  /**
   * A payload the codec cannot use (corrupt opus, empty or over-long G.722) is counted and replaced
   * by what the codec still produced, else by its concealment: bad input never leaves the media path.
   */
  #decode(payload: Uint8Array): number {
    try {
      return this.#decoder.decodeInto(payload, this.#pcm);
    } catch (err) {
      if (!(err instanceof CodecDataError)) throw err;
      metrics.codecErrors.inc({ codec: this.#codec.name, problem: err.problem });
      return err.written > 0 ? err.written : this.#decoder.concealInto(this.#pcm);
    }
  }

  /**
   * A lost frame: rebuilt from the in-band FEC of the packet after the gap when that packet is
   * already buffered and the codec can (Opus, RFC 6716 §2.1.7), else concealed by the codec.
   */
  #fillLost(): number {
    const next = this.jb.peekNext();
    let method: 'fec' | 'plc' = 'plc';
    let n: number;
    if (next !== undefined && next.payloadType === this.#codec.payloadType && this.#decoder.recoverInto) {
      const r = this.#decoder.recoverInto(next.payload, this.#pcm);
      n = r.samples;
      method = r.method;
    } else {
      n = this.#decoder.concealInto(this.#pcm);
    }
    metrics.codecLostFrames.inc({ codec: this.#codec.name, method });
    return n;
  }

  #silence(): number {
    const n = samplesPer20ms(this.#sampleRate);
    this.#pcm.fill(0, 0, n);
    return n;
  }
}
