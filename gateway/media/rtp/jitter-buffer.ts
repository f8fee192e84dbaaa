import { InterarrivalJitter } from './jitter.ts';
import { seqDelta } from './packet.ts';

/**
 * Adaptive jitter buffer: a pure core (werift's shape — no timers inside). The leg pushes packets as
 * they arrive and pops exactly one result per 20 ms pacer tick:
 *
 *   push(packet, arrivalMs) ──▶ [ slots keyed by 16-bit sequence ] ──▶ pop(): frame | lost | empty
 *
 * Playout follows the sequence number, which RFC 3550 §5.1 makes continuous across silence, so a gap
 * in it is loss (rebuilt or concealed by the decoder, which may `peekNext()` at the packet after the
 * gap) and an empty buffer is an underrun or a pause in talk.
 * The target depth follows the RFC 3550 §6.4.1 jitter estimate between the configured min and max:
 * it grows by pausing playout at a talkspurt start (marker bit) or after an underrun, where the added
 * delay is inaudible, and shrinks by dropping one frame after depth has stayed a frame or more above
 * target for 1 s (so a burst at call start does not leave its extra delay on every later frame).
 * Each frame leaves with its packet's arrival time, so a consumer can time speech from the wire.
 */

export interface JitterPacket {
  readonly sequence: number;
  readonly timestamp: number;
  readonly ssrc: number;
  readonly marker: boolean;
}

export interface JitterBufferOptions {
  readonly minMs: number;
  readonly maxMs: number;
  /** RTP clock rate, for the jitter estimate. */
  readonly clockRate: number;
  /** Audio per packet and per pop. */
  readonly frameMs?: number;
  /**
   * Frames leave as soon as they are next in sequence (arrival-release.ts times the gaps out and
   * fills pauses): no prebuffering to the target, no talkspurt pause, no shrinking. Default false.
   */
  readonly inOrderRelease?: boolean;
}

export type JitterPop<T> = { readonly kind: 'frame'; readonly packet: T; readonly arrivalMs: number } | { readonly kind: 'lost'; readonly sequence: number } | { readonly kind: 'empty' };

/** What `push` did with a packet; the non-queued outcomes are drop reasons the caller counts. */
export type JitterPush = 'queued' | 'resync' | 'duplicate' | 'late' | 'jump';

export interface JitterBufferStats {
  received: number;
  duplicates: number;
  late: number;
  /** Sequence numbers never received, including those skipped when trimming. */
  lost: number;
  /** Received packets discarded to bring the depth back down. */
  overflow: number;
  resyncs: number;
}

/** RFC 3550 A.1: reordering beyond this many packets back is a restart, not a late packet. */
const MAX_MISORDER = 100;
/** RFC 3550 A.1's MAX_DROPOUT in packets of 20 ms (~5 s): a larger jump needs confirming. */
const MAX_DROPOUT = 250;
/** Shrink only after depth stayed above target this many pops (1 s), and by this margin. */
const SHRINK_AFTER_POPS = 50;
const SHRINK_MARGIN_FRAMES = 1;
/** Lateness the target depth covers, in RFC 3550 §6.4.1 jitter estimates (mean deviations). */
const JITTER_MULTIPLE = 4;

interface Slot<T> {
  readonly packet: T;
  readonly arrivalMs: number;
}

/**
 * Depth to aim for: four jitter estimates, rounded up to whole frames, within min..max.
 *
 * Depth is counted behind the frame played next, and pops fall on the pacer's ticks, so a packet
 * that arrives φ ms before the tick that would first see it (0 < φ ≤ frame) may be target + φ ms
 * late and still play: the frame period itself is margin on top of the target, never inside it.
 * (The earlier rule, ceil((frame + 4J) / frame) frames, counted that frame twice: any jitter at all
 * put it at two frames, so a configured minimum of one frame never took effect.) For Gaussian
 * transit noise of deviation σ, J ≈ 1.13σ, so 4J covers 4.5σ; uniform noise over [0, X] has
 * J = X/3, so 4J ≈ 1.3X: a steady stream stops underrunning once the estimate has settled
 * (tests/unit/gateway/media/rtp/jitter-target.test.ts).
 */
export function jitterTargetMs(jitterMs: number, frameMs: number, minMs: number, maxMs: number): number {
  const want = Math.ceil((JITTER_MULTIPLE * jitterMs) / frameMs) * frameMs;
  return Math.min(maxMs, Math.max(minMs, want));
}

export class JitterBuffer<T extends JitterPacket> {
  readonly #minMs: number;
  readonly #maxMs: number;
  readonly #frameMs: number;
  readonly #inOrder: boolean;
  readonly #jitter: InterarrivalJitter;
  readonly #slots = new Map<number, Slot<T>>();
  #ssrc: number | undefined;
  /** Next sequence number to play. */
  #next = 0;
  /** Highest sequence number held (meaningful while slots is not empty). */
  #highest = 0;
  #playing = false;
  /** Whether anything was played since the last reset (before that, earlier packets may still come). */
  #started = false;
  #aboveTargetPops = 0;
  /** RFC 3550 A.1 probation: the sequence that would confirm a big jump. */
  #probation: number | undefined;
  readonly stats: JitterBufferStats = { received: 0, duplicates: 0, late: 0, lost: 0, overflow: 0, resyncs: 0 };

  constructor(opts: JitterBufferOptions) {
    this.#frameMs = opts.frameMs ?? 20;
    this.#inOrder = opts.inOrderRelease ?? false;
    this.#minMs = Math.max(this.#frameMs, opts.minMs);
    this.#maxMs = Math.max(this.#minMs, opts.maxMs);
    this.#jitter = new InterarrivalJitter(opts.clockRate);
  }

  get jitterMs(): number {
    return this.#jitter.ms;
  }

  get jitterUnits(): number {
    return this.#jitter.units;
  }

  /** Depth the buffer aims for (jitterTargetMs): four times the jitter in whole frames, within min..max. */
  get targetMs(): number {
    return jitterTargetMs(this.#jitter.ms, this.#frameMs, this.#minMs, this.#maxMs);
  }

  /**
   * Audio held behind the next frame to play, up to the newest received, gaps included: how late a
   * packet may be and still be played. Playout starts once this reaches the target.
   */
  get depthMs(): number {
    return Math.max(0, this.#spanFrames() - 1) * this.#frameMs;
  }

  /** Packets held (received, not yet played). */
  get held(): number {
    return this.#slots.size;
  }

  push(packet: T, arrivalMs: number): JitterPush {
    if (this.#ssrc !== packet.ssrc) {
      // A new SSRC is a new source (RFC 3550 §8): start over rather than mix two sequence spaces.
      const first = this.#ssrc === undefined;
      this.#reset(packet, arrivalMs);
      return first ? 'queued' : 'resync';
    }
    const delta = seqDelta(this.#next, packet.sequence);
    if (delta < -MAX_MISORDER || delta >= MAX_DROPOUT) {
      // A.1: one wild packet may be a stray; two in sequence mean the sender restarted.
      if (this.#probation === packet.sequence) {
        this.#reset(packet, arrivalMs);
        return 'resync';
      }
      this.#probation = (packet.sequence + 1) & 0xffff;
      return 'jump';
    }
    if (delta < 0 && this.#started) {
      this.stats.late++;
      return 'late';
    }
    if (this.#slots.has(packet.sequence)) {
      this.stats.duplicates++;
      return 'duplicate';
    }
    this.#probation = undefined;
    this.stats.received++;
    this.#jitter.update(packet.timestamp, arrivalMs);
    if (delta < 0) this.#next = packet.sequence; // reordered ahead of the first packet, nothing played yet
    if (this.#slots.size === 0 || seqDelta(this.#highest, packet.sequence) > 0) this.#highest = packet.sequence;
    this.#slots.set(packet.sequence, { packet, arrivalMs });
    // Also with in-order release: a jump past the max depth (a sender that skipped sequence numbers)
    // is skipped, not released as a burst of concealed frames.
    if (this.depthMs > this.#maxMs) this.#trimTo(this.targetMs);
    return 'queued';
  }

  /** One result per tick. */
  pop(): JitterPop<T> {
    if (!this.#playing) {
      if (this.#slots.size === 0 || (!this.#inOrder && this.depthMs < this.targetMs)) return { kind: 'empty' };
      this.#playing = true;
    }
    const slot = this.#slots.get(this.#next);
    if (slot === undefined) {
      if (this.#slots.size === 0) {
        // Underrun: the next packet is late or the sender paused; rebuild depth before resuming.
        this.#playing = false;
        return { kind: 'empty' };
      }
      const sequence = this.#next;
      this.#advance();
      this.stats.lost++;
      return { kind: 'lost', sequence };
    }
    if (slot.packet.marker && !this.#inOrder && this.#started && this.depthMs < this.targetMs) {
      // Talkspurt start (RFC 3550 §5.1 marker): delaying it grows the depth without a gap in speech.
      this.#playing = false;
      return { kind: 'empty' };
    }
    this.#slots.delete(this.#next);
    this.#advance();
    if (!this.#inOrder) this.#maybeShrink();
    return { kind: 'frame', packet: slot.packet, arrivalMs: slot.arrivalMs };
  }

  /**
   * The packet the next `pop()` will play, if it has already arrived, without taking it. Right after
   * a `lost` result it is the packet following the gap: an Opus packet there carries in-band FEC
   * for the lost frame (RFC 6716 §2.1.7), so the decoder can rebuild it instead of concealing.
   */
  peekNext(): T | undefined {
    return this.#slots.get(this.#next)?.packet;
  }

  #advance(): void {
    this.#next = (this.#next + 1) & 0xffff;
    this.#started = true;
  }

  #spanFrames(): number {
    return this.#slots.size === 0 ? 0 : seqDelta(this.#next, this.#highest) + 1;
  }

  #maybeShrink(): void {
    // Measured just after a pop; in steady state a packet arrives before the next pop, so the depth
    // that pop compares with the target is one frame more. (Leaving that frame out made a steady
    // excess of up to two frames permanent: a 20 ms target could sit at 60 ms for a whole call.)
    const excess = (this.depthMs + this.#frameMs - this.targetMs) / this.#frameMs;
    if (excess < SHRINK_MARGIN_FRAMES) {
      this.#aboveTargetPops = 0;
      return;
    }
    if (++this.#aboveTargetPops < SHRINK_AFTER_POPS) return;
    this.#aboveTargetPops = 0;
    this.#trimTo(this.depthMs - this.#frameMs);
  }

  /** Skips the oldest frames (received ones count as overflow, missing ones as lost) down to `ms`. */
  #trimTo(ms: number): void {
    while (this.#slots.size > 0 && this.depthMs > ms) {
      if (this.#slots.delete(this.#next)) this.stats.overflow++;
      else this.stats.lost++;
      this.#advance();
    }
  }

  #reset(packet: T, arrivalMs: number): void {
    if (this.#ssrc !== undefined) this.stats.resyncs++;
    this.#ssrc = packet.ssrc;
    this.#slots.clear();
    this.#slots.set(packet.sequence, { packet, arrivalMs });
    this.#next = packet.sequence;
    this.#highest = packet.sequence;
    this.#playing = false;
    this.#started = false;
    this.#probation = undefined;
    this.#aboveTargetPops = 0;
    this.stats.received++;
    this.#jitter.restart();
    this.#jitter.update(packet.timestamp, arrivalMs);
  }
}
