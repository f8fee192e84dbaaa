import type { PlayedReport, Playout, PlayoutSegment } from '../../gateway/media/playout.ts';
import type { StreamingTts } from '../providers/tts/streaming.ts';

/**
 * Speaks one reply: sentences are synthesised in order as they arrive (the next one's request starts
 * when the previous one's audio is complete, while it is still playing) and streamed into the leg's
 * Playout, one segment per sentence. It keeps every sentence's audio so a paused reply can resume
 * exactly where the caller stopped hearing it, and turns Playout's PlayedReports into the text the
 * caller actually heard — the only honest base for the agent's memory after a barge-in.
 */
export interface SpeakerHooks {
  /** First audio of the reply queued for the caller. */
  readonly onFirstAudio?: () => void;
  /** The first packet of the reply was sent (the Playout's pull time). */
  readonly onFirstPacket?: (at: number) => void;
  /** Every sample queued, with when it will be on the wire (for the echo gate). */
  readonly onQueued?: (pcm: Int16Array, sampleRate: number, sentAt: number) => void;
  readonly onError?: (err: Error) => void;
  readonly now?: () => number;
  /**
   * Start held: synthesise but queue nothing until `resume()` (a speculative reply, made while the
   * caller's turn may still go on, so its audio is ready the moment the turn ends).
   */
  readonly held?: boolean;
}

interface Sentence {
  readonly text: string;
  readonly chunks: Int16Array[];
  rate: number;
  samples: number;
  synthDone: boolean;
  seg: PlayoutSegment | null;
  /** Source samples already heard before the current segment began. */
  segStart: number;
  heard: number;
  played: boolean;
}

export class ReplySpeaker {
  readonly #playout: Playout;
  readonly #tts: StreamingTts;
  readonly #hooks: SpeakerHooks;
  readonly #id: string;
  readonly #abort = new AbortController();
  readonly #sentences: Sentence[] = [];
  #pending: Sentence[] = [];
  #synthesizing = false;
  #ended = false;
  #paused = false;
  #stopped = false;
  #firstAudio = false;
  #firstPacket = false;
  #firstChunkAt: number | undefined;
  #resolveDone!: () => void;
  /** Resolves when the whole reply has been played (not when paused or stopped). */
  readonly done: Promise<void>;

  constructor(id: string, playout: Playout, tts: StreamingTts, hooks: SpeakerHooks = {}) {
    this.#id = id;
    this.#playout = playout;
    this.#tts = tts;
    this.#hooks = hooks;
    this.done = new Promise((r) => (this.#resolveDone = r));
    this.#paused = hooks.held === true;
  }

  get paused(): boolean {
    return this.#paused;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** When the first synthesised audio arrived (held or not), on the hooks' clock. */
  get firstChunkAt(): number | undefined {
    return this.#firstChunkAt;
  }

  say(text: string): void {
    if (this.#stopped || this.#ended) return;
    const s: Sentence = { text, chunks: [], rate: 0, samples: 0, synthDone: false, seg: null, segStart: 0, heard: 0, played: false };
    this.#sentences.push(s);
    this.#pending.push(s);
    void this.#pump();
  }

  /** No more sentences will come. */
  end(): void {
    this.#ended = true;
    this.#checkDone();
  }

  /** Stops the audio now; keeps what was synthesised (and goes on synthesising) for `resume()`. */
  pause(): PlayedReport[] {
    if (this.#paused || this.#stopped) return [];
    this.#paused = true;
    const reports = this.#playout.clear();
    for (const s of this.#sentences) this.#account(s, reports);
    return reports;
  }

  resume(): void {
    if (!this.#paused || this.#stopped) return;
    this.#paused = false;
    for (const s of this.#sentences) {
      if (s.played || s.samples === 0) continue;
      this.#open(s);
      this.#feed(s, this.#concat(s, s.heard));
      if (s.synthDone) s.seg!.end();
    }
    this.#checkDone();
  }

  /** Ends the reply for good (barge-in, hang-up): aborts synthesis, clears audio, returns what was heard. */
  stop(): string {
    if (!this.#stopped) {
      this.#stopped = true;
      this.#abort.abort();
      if (!this.#paused) {
        const reports = this.#playout.clear();
        for (const s of this.#sentences) this.#account(s, reports);
      }
    }
    return this.heardText();
  }

  /** The text the caller heard: whole sentences, then the heard share of the one cut short. */
  heardText(): string {
    const parts: string[] = [];
    for (const s of this.#sentences) {
      if (s.played || (s.synthDone && s.samples > 0 && s.heard >= s.samples)) {
        parts.push(s.text);
        continue;
      }
      if (s.samples > 0 && s.heard > 0) {
        // Characters in proportion to the audio heard, cut back to a word boundary.
        const share = s.heard / Math.max(s.samples, 1);
        const cut = s.text.slice(0, Math.floor(s.text.length * share));
        const words = cut.slice(0, Math.max(0, cut.lastIndexOf(' '))).trim();
        if (words) parts.push(`${words}…`);
      }
      break;
    }
    return parts.join(' ');
  }

  async #pump(): Promise<void> {
    if (this.#synthesizing) return;
    this.#synthesizing = true;
    try {
      for (let s = this.#pending.shift(); s && !this.#stopped; s = this.#pending.shift()) {
        for await (const c of this.#tts.stream(s.text, { signal: this.#abort.signal, sampleRate: this.#playout.sampleRate })) {
          if (this.#stopped) break;
          s.rate = c.sampleRate;
          this.#firstChunkAt ??= this.#hooks.now?.() ?? performance.now();
          s.chunks.push(c.pcm);
          s.samples += c.pcm.length;
          if (this.#paused) continue;
          if (!s.seg) this.#open(s);
          this.#feed(s, c.pcm);
        }
        s.synthDone = true;
        if (s.samples === 0) s.played = true;
        if (s.seg && !this.#paused) s.seg.end();
      }
    } catch (err) {
      if (!this.#stopped) this.#hooks.onError?.(err as Error);
    } finally {
      this.#synthesizing = false;
    }
    if (this.#pending.length > 0 && !this.#stopped) void this.#pump();
    this.#checkDone();
  }

  #open(s: Sentence): void {
    const seg = this.#playout.begin(`${this.#id}:${this.#sentences.indexOf(s)}`, s.rate);
    s.seg = seg;
    s.segStart = s.heard;
    void seg.started.then((at) => {
      if (this.#firstPacket) return;
      this.#firstPacket = true;
      this.#hooks.onFirstPacket?.(at);
    });
    void seg.done.then((r) => {
      if (r.interrupted || s.seg !== seg) return;
      s.played = true;
      s.heard = s.samples;
      s.seg = null;
      this.#checkDone();
    });
  }

  #feed(s: Sentence, pcm: Int16Array): void {
    if (pcm.length === 0 || !s.seg) return;
    const now = this.#hooks.now?.() ?? performance.now();
    this.#hooks.onQueued?.(pcm, s.rate, now + this.#playout.queuedMs);
    s.seg.push(pcm);
    if (!this.#firstAudio) {
      this.#firstAudio = true;
      this.#hooks.onFirstAudio?.();
    }
  }

  #account(s: Sentence, reports: readonly PlayedReport[]): void {
    if (!s.seg) return;
    const r = reports.find((x) => x.id === s.seg!.id);
    if (r) s.heard = Math.min(s.samples, s.segStart + Math.round((r.playedMs * s.rate) / 1000));
    s.seg = null;
  }

  #concat(s: Sentence, from: number): Int16Array {
    const out = new Int16Array(Math.max(0, s.samples - from));
    let skip = from;
    let off = 0;
    for (const c of s.chunks) {
      if (skip >= c.length) {
        skip -= c.length;
        continue;
      }
      out.set(c.subarray(skip), off);
      off += c.length - skip;
      skip = 0;
    }
    return out;
  }

  #checkDone(): void {
    if (this.#stopped || this.#paused || !this.#ended || this.#synthesizing || this.#pending.length > 0) return;
    if (this.#sentences.every((s) => s.played)) this.#resolveDone();
  }
}
