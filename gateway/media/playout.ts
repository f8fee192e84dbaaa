import type { Resampler } from '../../codecs/types.ts';

/** What the caller heard of one segment; barge-in truncates the agent's memory to `playedMs`. */
export interface PlayedReport {
  readonly id: string;
  /** Milliseconds of this segment that were sent to the caller. */
  readonly playedMs: number;
  /** Milliseconds of audio the segment held when it ended or was cleared. */
  readonly totalMs: number;
  /** True when `clear()` cut the segment short (or it never started). */
  readonly interrupted: boolean;
}

export type ResamplerFactory = (fromRate: number, toRate: number) => Resampler;

/** When agent audio stopped going out, on the clock of `PlayoutOptions.now` (ms). */
export interface AudioStop {
  /** When `audioStopped()` was asked (the barge-in moment). */
  readonly askedAt: number;
  /** The last pull that carried agent audio (the last agent packet sent), if there was one. */
  readonly lastAudioAt: number | undefined;
  /** The first pull after `askedAt` that carried none: agent audio has stopped on the wire. */
  readonly silentAt: number;
}

interface Segment {
  readonly id: string;
  readonly chunks: Int16Array[];
  /** Read offset into chunks[0]. */
  offset: number;
  queuedSamples: number;
  playedSamples: number;
  totalSamples: number;
  ended: boolean;
  resampler: Resampler | undefined;
  resolve: (r: PlayedReport) => void;
  readonly done: Promise<PlayedReport>;
  onStart: ((at: number) => void) | undefined;
}

/** A segment being streamed in, e.g. text-to-speech audio arriving in chunks. */
export interface PlayoutSegment {
  readonly id: string;
  /** Appends audio at the rate given to `begin()`. Ignored after `end()` or once cleared. */
  push(pcm: Int16Array): void;
  /** No more audio will come; `done` resolves once the rest has been played. */
  end(): void;
  readonly done: Promise<PlayedReport>;
  /**
   * Resolves with the time (PlayoutOptions.now) of the first pull that carried this segment's audio:
   * its first packet is on the wire. Stays pending for a segment cleared before any of it played.
   */
  readonly started: Promise<number>;
}

export interface PlayoutOptions {
  /** Rate of the leg: what `pullInto` produces. */
  readonly sampleRate: number;
  /** Bound on queued audio; audio beyond it is dropped and counted (design §4.5). */
  readonly maxQueuedMs?: number;
  readonly makeResampler?: ResamplerFactory;
  /** Clock for `audioStopped()` (ms); performance.now by default. */
  readonly now?: () => number;
}

/**
 * Agent → caller queue of segments, pulled by the 20 ms pacer. `clear()` stops at once and tells
 * how many ms of each segment the caller actually heard (openai-agents-js mark acks, agents-js
 * playbackPosition): the only honest base for truncating an agent's memory after barge-in.
 */
export class Playout {
  readonly sampleRate: number;
  readonly #maxQueued: number;
  readonly #makeResampler: ResamplerFactory | undefined;
  readonly #queue: Segment[] = [];
  readonly #now: () => number;
  #queuedSamples = 0;
  #dropped = 0;
  #lastAudioAt: number | undefined;
  #stopWaiters: ((pulledAt: number) => void)[] = [];
  /** Samples in one 20 ms pull: what must be queued before a new talkspurt is worth sending early. */
  readonly #frameSamples: number;
  #onReady: (() => void) | undefined;
  /** The last pull carried agent audio (a talkspurt is on the wire). */
  #pulledAudio = false;
  /** `onReady` was told since the last pull. */
  #readyTold = false;

  constructor(opts: PlayoutOptions) {
    this.sampleRate = opts.sampleRate;
    this.#now = opts.now ?? (() => performance.now());
    this.#maxQueued = Math.round(((opts.maxQueuedMs ?? 120_000) * opts.sampleRate) / 1000);
    this.#makeResampler = opts.makeResampler;
    this.#frameSamples = Math.max(1, Math.floor(opts.sampleRate / 50));
  }

  /**
   * Tells `listener` (synchronously, after a `push()` or `end()`) when a new talkspurt can start:
   * the last pull carried no audio and now a full 20 ms frame (or the rest of an ended segment) is
   * queued at the head. A leg may then send that frame at once instead of waiting up to 20 ms for
   * its next tick (rtp-leg.ts). Told once per silent pull; one listener (undefined removes it).
   */
  onReady(listener: (() => void) | undefined): void {
    this.#onReady = listener;
  }

  /** Samples dropped because the queue was full. */
  get droppedSamples(): number {
    return this.#dropped;
  }

  /** True when nothing is queued or playing. */
  get idle(): boolean {
    return this.#queue.length === 0;
  }

  /** Milliseconds of audio waiting to be played. */
  get queuedMs(): number {
    return (this.#queuedSamples * 1000) / this.sampleRate;
  }

  /** Starts a segment that audio is streamed into. */
  begin(id: string, sampleRate: number = this.sampleRate): PlayoutSegment {
    let resolve!: (r: PlayedReport) => void;
    const done = new Promise<PlayedReport>((r) => (resolve = r));
    let resampler: Resampler | undefined;
    if (sampleRate !== this.sampleRate) {
      if (!this.#makeResampler) throw new RangeError(`playout at ${this.sampleRate} Hz got ${sampleRate} Hz audio and has no resampler`);
      resampler = this.#makeResampler(sampleRate, this.sampleRate);
    }
    let onStart!: (at: number) => void;
    const started = new Promise<number>((r) => (onStart = r));
    const seg: Segment = { id, chunks: [], offset: 0, queuedSamples: 0, playedSamples: 0, totalSamples: 0, ended: false, resampler, resolve, done, onStart };
    this.#queue.push(seg);
    return {
      id,
      done,
      started,
      push: (pcm) => this.#push(seg, pcm),
      end: () => {
        seg.ended = true;
        this.#finishIfDrained(seg);
        this.#maybeReady();
      },
    };
  }

  /** Queues a whole clip; resolves when it has been played or cleared. */
  play(id: string, pcm: Int16Array, sampleRate: number = this.sampleRate): Promise<PlayedReport> {
    const seg = this.begin(id, sampleRate);
    seg.push(pcm);
    seg.end();
    return seg.done;
  }

  /**
   * Fills `out` with the next samples (the pacer calls this every 20 ms). Returns false when there
   * was nothing to play, in which case `out` holds silence.
   */
  pullInto(out: Int16Array): boolean {
    let written = 0;
    while (written < out.length && this.#queue.length > 0) {
      const seg = this.#queue[0]!;
      const chunk = seg.chunks[0];
      if (!chunk) {
        // Segment still streaming but starved: pad with silence rather than skip ahead.
        if (!seg.ended) break;
        this.#finish(seg, false);
        continue;
      }
      const n = Math.min(out.length - written, chunk.length - seg.offset);
      if (seg.onStart && n > 0) {
        seg.onStart(this.#now());
        seg.onStart = undefined;
      }
      out.set(chunk.subarray(seg.offset, seg.offset + n), written);
      written += n;
      seg.offset += n;
      seg.playedSamples += n;
      seg.queuedSamples -= n;
      this.#queuedSamples -= n;
      if (seg.offset >= chunk.length) {
        seg.chunks.shift();
        seg.offset = 0;
      }
      this.#finishIfDrained(seg);
    }
    if (written < out.length) out.fill(0, written);
    this.#pulledAudio = written > 0;
    this.#readyTold = false;
    if (written > 0) this.#lastAudioAt = this.#now();
    else if (this.#stopWaiters.length > 0) {
      const at = this.#now();
      for (const w of this.#stopWaiters.splice(0)) w(at);
    }
    return written > 0;
  }

  /**
   * Resolves at the first pull that carries no agent audio: the leg's clock has actually sent the
   * last agent packet (the one pulled at `lastAudioAt`). Barge-in measures its stop time to this,
   * not to `clear()`, so audio that still leaves after a clear (a segment queued in between, a late
   * tick) is counted. Never resolves if the leg stops pulling (closed, on hold): no timer is held.
   */
  audioStopped(): Promise<AudioStop> {
    const askedAt = this.#now();
    // Bounded: a leg that stopped pulling keeps at most a few waiters (the oldest never resolve).
    if (this.#stopWaiters.length >= 8) this.#stopWaiters.shift();
    return new Promise((resolve) => this.#stopWaiters.push((silentAt) => resolve({ askedAt, lastAudioAt: this.#lastAudioAt, silentAt })));
  }

  /** Stops everything at once; returns what the caller heard of each segment that was queued. */
  clear(): PlayedReport[] {
    const reports: PlayedReport[] = [];
    for (const seg of this.#queue.splice(0)) {
      reports.push(this.#report(seg, true));
      seg.resolve(reports[reports.length - 1]!);
    }
    this.#queuedSamples = 0;
    return reports;
  }

  #push(seg: Segment, pcm: Int16Array): void {
    if (seg.ended || !this.#queue.includes(seg)) return;
    let data = pcm;
    if (seg.resampler) {
      const out = new Int16Array(seg.resampler.outputLength(pcm.length));
      data = out.subarray(0, seg.resampler.process(pcm, out));
    } else {
      data = pcm.slice(); // the producer may reuse its buffer
    }
    const room = this.#maxQueued - this.#queuedSamples;
    if (data.length > room) {
      this.#dropped += data.length - Math.max(0, room);
      if (room <= 0) return;
      data = data.subarray(0, room);
    }
    seg.chunks.push(data);
    seg.queuedSamples += data.length;
    seg.totalSamples += data.length;
    this.#queuedSamples += data.length;
    this.#maybeReady();
  }

  #maybeReady(): void {
    if (!this.#onReady || this.#pulledAudio || this.#readyTold) return;
    const head = this.#queue[0];
    // A streaming head with less than a frame would be padded with silence: wait for more (or its end).
    if (!head || head.queuedSamples === 0 || (head.queuedSamples < this.#frameSamples && !head.ended)) return;
    this.#readyTold = true;
    this.#onReady();
  }

  #finishIfDrained(seg: Segment): void {
    if (seg.ended && seg.chunks.length === 0 && this.#queue[0] === seg) this.#finish(seg, false);
  }

  #finish(seg: Segment, interrupted: boolean): void {
    const i = this.#queue.indexOf(seg);
    if (i >= 0) this.#queue.splice(i, 1);
    seg.resolve(this.#report(seg, interrupted));
  }

  #report(seg: Segment, interrupted: boolean): PlayedReport {
    const ms = (n: number): number => Math.round((n * 1000) / this.sampleRate);
    return { id: seg.id, playedMs: ms(seg.playedSamples), totalMs: ms(seg.totalSamples), interrupted };
  }
}
