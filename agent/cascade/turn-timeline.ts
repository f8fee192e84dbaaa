import { performance } from 'node:perf_hooks';

/**
 * Where a turn's time goes, in one place: the moments one caller turn passes through between the
 * caller's last voiced frame and the reply's first packet on the wire. The session marks them; the
 * 'turn timing' log line (and bench/cascade.ts, which reads it) shows each as milliseconds after the
 * caller's voice ended, so the gateway's overhead on top of the endpointing silence can be split into
 * its parts (issue 5). Marks are on the session's clock (performance.now); `voiceEndEpochMs` puts the
 * start on the wall clock so a caller in another process can line up its own packet times.
 */
export const TURN_MARKS = [
  /**
   * The last caller frame with voice (energy above the noise floor) arrived: its packet's arrival
   * time when the leg dates frames (AudioFrame.arrivalMs), else when it left the jitter buffer.
   */
  'voiceEnd',
  /** The VAD declared silence (it lags the voice by its model's memory). */
  'vadSilence',
  /** End of turn decided (endpointing silence waited). */
  'endpoint',
  /** The final transcript in hand. */
  'sttFinal',
  /** The reply's first text from the model (before the endpoint when generated preemptively). */
  'llmFirstText',
  /** The first sentence given to synthesis. */
  'firstSentence',
  /** The first synthesised audio queued in the Playout. */
  'ttsFirstAudio',
  /** The pacer pulled the first of it: the first agent packet sent. */
  'firstPacket',
] as const;

export type TurnMark = (typeof TURN_MARKS)[number];

export class TurnTimeline {
  readonly #at = new Map<TurnMark, number>();
  readonly #now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** Records a moment once per turn (the first time wins); `at` defaults to now. */
  mark(name: TurnMark, at: number = this.#now()): void {
    if (!this.#at.has(name)) this.#at.set(name, at);
  }

  /** Replaces a mark (the voice end is refined after the fact). */
  set(name: TurnMark, at: number): void {
    this.#at.set(name, at);
  }

  /** Forgets marks (a speculative reply that was dropped leaves no trace in the turn). */
  clear(...names: TurnMark[]): void {
    for (const n of names) this.#at.delete(n);
  }

  get(name: TurnMark): number | undefined {
    return this.#at.get(name);
  }

  reset(): void {
    this.#at.clear();
  }

  /**
   * Each mark as whole-tenths milliseconds after `voiceEnd` (negative: before it, e.g. a preemptive
   * generation), or undefined when the voice end is unknown.
   */
  relative(): Partial<Record<TurnMark, number>> | undefined {
    const t0 = this.#at.get('voiceEnd');
    if (t0 === undefined) return undefined;
    const out: Partial<Record<TurnMark, number>> = {};
    for (const m of TURN_MARKS) {
      const t = this.#at.get(m);
      if (t !== undefined) out[m] = Math.round((t - t0) * 10) / 10;
    }
    return out;
  }

  /** The voice end on the wall clock (ms since the epoch), for lining up with another process. */
  voiceEndEpochMs(): number | undefined {
    const t0 = this.#at.get('voiceEnd');
    return t0 === undefined ? undefined : Math.round((performance.timeOrigin + t0) * 10) / 10;
  }
}
