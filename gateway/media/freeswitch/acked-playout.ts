import type { PlayoutOptions, PlayedReport } from '../playout.ts';
import { Playout } from '../playout.ts';

/**
 * Which of the audio we sent has been played, from mark acknowledgements. Both mod_audio_fork
 * (bidirectional streaming: `{"type":"mark","data":{"name","event":"playout"}}`) and Twilio Media
 * Streams (`mark` echoed when the audio before it has played) buffer what we send and play it in
 * real time; a mark sent after a chunk comes back once that chunk was heard (openai-agents-js
 * TwilioRealtimeTransport uses the same device). Pure: no I/O, no clock.
 */
export class MarkLedger {
  readonly #intervalMs: number;
  #sentMs = 0;
  #ackedMs = 0;
  #lastMarkAt = 0;
  readonly #pending = new Map<string, number>();
  #seq = 0;

  constructor(intervalMs = 100) {
    this.#intervalMs = intervalMs;
  }

  get sentMs(): number {
    return this.#sentMs;
  }
  /** Audio known to have been played (the position of the last acknowledged mark). */
  get ackedMs(): number {
    return this.#ackedMs;
  }
  /** Sent but not yet known to be played. */
  get unackedMs(): number {
    return this.#sentMs - this.#ackedMs;
  }
  get pendingMarks(): number {
    return this.#pending.size;
  }

  /** Records `ms` of audio sent; returns a mark name to send after it when one is due. */
  sent(ms: number): string | undefined {
    this.#sentMs += ms;
    if (this.#sentMs - this.#lastMarkAt < this.#intervalMs) return undefined;
    return this.markNow();
  }

  /** A mark for everything sent so far (e.g. at the end of a segment). */
  markNow(): string | undefined {
    if (this.#sentMs === this.#lastMarkAt) return undefined;
    this.#lastMarkAt = this.#sentMs;
    // Bound the pending set: a peer that never acknowledges cannot grow it.
    if (this.#pending.size >= 256) {
      const oldest = this.#pending.keys().next().value;
      if (oldest !== undefined) this.#pending.delete(oldest);
    }
    const name = `tl-${++this.#seq}`;
    this.#pending.set(name, this.#sentMs);
    return name;
  }

  /** A mark came back as played; returns false for a name we never sent (ignored). */
  ack(name: string): boolean {
    const at = this.#pending.get(name);
    if (at === undefined) return false;
    this.#pending.delete(name);
    if (at > this.#ackedMs) this.#ackedMs = at;
    return true;
  }

  /** After a clear/killAudio: what was buffered is gone, so sent and played meet again. */
  flush(): void {
    this.#pending.clear();
    this.#sentMs = this.#ackedMs = this.#lastMarkAt = Math.max(this.#ackedMs, 0);
  }
}

/**
 * A Playout whose `clear()` (barge-in) also tells the remote side to drop what it buffered, and
 * whose reports count only what the caller is known to have heard: the audio pulled but not yet
 * acknowledged by a mark is taken off the current segment's `playedMs`.
 */
export class AckedPlayout extends Playout {
  readonly #ledger: MarkLedger;
  readonly #onClear: () => void;

  constructor(opts: PlayoutOptions, ledger: MarkLedger, onClear: () => void) {
    super(opts);
    this.#ledger = ledger;
    this.#onClear = onClear;
  }

  override clear(): PlayedReport[] {
    const wasBusy = !this.idle || this.#ledger.unackedMs > 0;
    const reports = super.clear();
    let unheard = this.#ledger.unackedMs;
    if (wasBusy) this.#onClear();
    this.#ledger.flush();
    return reports.map((r) => {
      if (unheard <= 0 || r.playedMs === 0) return r;
      const cut = Math.min(unheard, r.playedMs);
      unheard -= cut;
      return { ...r, playedMs: r.playedMs - cut, interrupted: true };
    });
  }
}
