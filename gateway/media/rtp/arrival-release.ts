import type { JitterBuffer, JitterPacket } from './jitter-buffer.ts';

/**
 * In-order release: a jitter buffer for listeners that are not ears (VAD, STT, a speech-to-speech
 * model). A frame leaves the moment it is next in sequence — no prebuffering to a target depth, no
 * wait for the pacer's tick — because those consumers only need the audio complete and in order, and
 * a speech model's turn detection counts silence in audio, so every ms a frame sits in a buffer is a
 * ms added to the turn. The 20 ms tick is left two jobs:
 *
 *   - a gap (the next sequence missing while a later one is held) is waited for at most the adaptive
 *     target (the buffer's own lateness allowance, RFC 3550 §6.4.1), then declared lost; reordering
 *     within that wait is still put right, and the packet after the gap is there for FEC (`peekNext`);
 *   - while nothing at all is held and the consumer's timeline has fallen more than the target behind
 *     the 20 ms clock, one frame of silence per tick keeps that timeline running (DTX / comfort-noise
 *     pauses: RFC 3550 §5.1 keeps the sequence continuous, so the next packet is simply in order).
 *
 * `owed` counts ticks minus frames released, so the consumer gets one frame per 20 ms of wall-clock
 * on average: silence is added only when it is owed, and a late packet after a fill is released too
 * but leaves `owed` one lower, so the next fill waits a frame longer (no drift either way). A sender
 * that runs fast builds credit down to -max depth at most.
 */

export type Release<T> = { readonly kind: 'frame'; readonly packet: T; readonly arrivalMs: number } | { readonly kind: 'lost'; readonly sequence: number } | { readonly kind: 'silence' };

export interface ArrivalReleaseOptions {
  /** Audio per frame (20 ms). */
  readonly frameMs?: number;
  /** Most credit a fast sender can build, in ms (the buffer's max depth). */
  readonly maxAheadMs: number;
}

/** More releases than this from one call is impossible for a sane buffer (it holds ≤ max depth); a bound, not a rule. */
const MAX_RELEASES_PER_CALL = 64;

export class ArrivalRelease<T extends JitterPacket> {
  readonly #jb: JitterBuffer<T>;
  readonly #frameMs: number;
  readonly #minOwed: number;
  /** Ticks since the stream began minus frames released (the consumer's lag behind the 20 ms clock). */
  #owed = 0;
  #started = false;
  /** When the current gap was first seen (a later packet held, the next one missing). */
  #gapSince: number | undefined;

  constructor(jb: JitterBuffer<T>, opts: ArrivalReleaseOptions) {
    this.#jb = jb;
    this.#frameMs = opts.frameMs ?? 20;
    this.#minOwed = -Math.ceil(opts.maxAheadMs / this.#frameMs);
  }

  /** Frames owed to the consumer by the 20 ms clock (tests and diagnostics). */
  get owed(): number {
    return this.#owed;
  }

  /** After a packet was queued: everything now in order, at once (the gap's clock starts at `now`). */
  *onArrival(now: number): Generator<Release<T>> {
    yield* this.#drain(now);
  }

  /** One pacer tick: a gap that outwaited the target is declared lost; a quiet stream gets its silence. */
  *onTick(now: number): Generator<Release<T>> {
    if (this.#started) this.#owed++;
    yield* this.#drain(now);
    if (!this.#started || this.#jb.held > 0) return;
    // Nothing held: a pause (or a late packet). Fill only what the clock owes beyond the wait.
    if (this.#owed * this.#frameMs > this.#jb.targetMs) {
      this.#owed--;
      yield { kind: 'silence' };
    }
  }

  /**
   * Releases in sequence while the next packet is there; at a gap, waits until it has lasted the
   * target, then releases it as lost (the generator is lazy, so the consumer's `peekNext()` right after
   * a `lost` sees the packet following the gap, as with `pop()`).
   */
  *#drain(now: number): Generator<Release<T>> {
    for (let i = 0; i < MAX_RELEASES_PER_CALL; i++) {
      if (this.#jb.held === 0) {
        this.#gapSince = undefined;
        return;
      }
      const inOrder = this.#jb.peekNext() !== undefined;
      if (!inOrder) {
        this.#gapSince ??= now;
        if (now - this.#gapSince < this.#jb.targetMs) return;
      }
      const r = this.#jb.pop();
      if (r.kind === 'empty') return; // not reached: something is held
      // Consecutive losses share the evidence (the same later packet), so their wait is not restarted.
      if (r.kind === 'frame') this.#gapSince = undefined;
      this.#started = true;
      this.#owed = Math.max(this.#minOwed, this.#owed - 1);
      yield r;
    }
  }
}
