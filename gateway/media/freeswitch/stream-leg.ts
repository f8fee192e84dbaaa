import { EventEmitter } from 'node:events';
import { samplesPer20ms, type AudioFrame, type CodecInfo } from '../../../codecs/types.ts';
import type { Logger } from '../../log.ts';
import { metrics } from '../../metrics.ts';
import { nullSink, type AudioSink } from '../audio-sink.ts';
import type { DtmfDigit, DtmfEvent } from '../dtmf.ts';
import type { MediaDirection, MediaLeg, MediaLegEvents, MediaStats } from '../media-leg.ts';
import type { Pacer } from '../pacer.ts';
import type { ResamplerFactory } from '../playout.ts';
import { AckedPlayout, MarkLedger } from './acked-playout.ts';
import { L16Chunker } from './frame-chunker.ts';

export interface StreamLegOptions {
  readonly codec: CodecInfo;
  /** PCM rate of the frames delivered and of `output`. */
  readonly sampleRate: number;
  readonly pacer: Pacer;
  readonly log: Logger;
  readonly mediaTimeoutSec: number;
  readonly makeResampler: ResamplerFactory;
  /** A mark is sent after this much agent audio (acks tell what was heard). */
  readonly markIntervalMs?: number;
  readonly now?: () => number;
}

/**
 * What the WebSocket media legs (FreeSWITCH over mod_audio_fork, Twilio Media Streams) share: caller
 * audio arrives as a byte or sample stream and is re-chunked into 20 ms frames; agent audio is
 * pulled from the Playout on the shared 20 ms clock (so the remote buffer stays one frame deep and
 * barge-in is quick), followed by marks whose acks say what the caller heard. A subclass only
 * translates its wire protocol: `sendAudio`, `sendMark`, `sendClear`, `closeTransport`.
 */
export abstract class StreamLeg extends EventEmitter<MediaLegEvents> implements MediaLeg {
  abstract readonly kind: 'freeswitch' | 'twilio';
  readonly codec: CodecInfo;
  readonly sampleRate: number;
  readonly output: AckedPlayout;
  protected readonly log: Logger;
  protected readonly ledger: MarkLedger;
  readonly #chunker: L16Chunker;
  readonly #tx: Int16Array;
  readonly #unregister: () => void;
  readonly #now: () => number;
  readonly #timeoutMs: number;
  #sink: AudioSink = nullSink;
  #direction: MediaDirection = 'sendrecv';
  #lastRx: number;
  #timedOut = false;
  #closed = false;
  #stats: MediaStats = { packetsIn: 0, packetsOut: 0, packetsLost: 0, packetsDropped: 0, jitterMs: 0 };
  #wasPlaying = false;

  constructor(opts: StreamLegOptions) {
    super();
    this.codec = opts.codec;
    this.sampleRate = opts.sampleRate;
    this.log = opts.log;
    this.#now = opts.now ?? (() => performance.now());
    this.#timeoutMs = opts.mediaTimeoutSec * 1000;
    this.#lastRx = this.#now();
    this.ledger = new MarkLedger(opts.markIntervalMs ?? 100);
    this.output = new AckedPlayout({ sampleRate: opts.sampleRate, makeResampler: opts.makeResampler }, this.ledger, () => {
      if (!this.#closed) this.sendClear();
    });
    this.#chunker = new L16Chunker(opts.sampleRate);
    this.#tx = new Int16Array(samplesPer20ms(opts.sampleRate));
    this.#unregister = opts.pacer.add(() => this.#tick());
  }

  get closed(): boolean {
    return this.#closed;
  }

  connectInput(sink: AudioSink): void {
    this.#sink = sink;
  }

  setDirection(direction: MediaDirection): void {
    this.#direction = direction;
  }

  stats(): MediaStats {
    return { ...this.#stats };
  }

  abstract sendDtmf(digits: readonly DtmfDigit[]): Promise<void>;

  close(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unregister();
    this.output.clear();
    metrics.playoutDroppedMs.inc(Math.round((this.output.droppedSamples * 1000) / this.sampleRate));
    this.closeTransport(reason);
  }

  describe(): string {
    return `${this.wireName()} → L16Chunker(${this.sampleRate}) → ${this.#sink.describe()}`;
  }

  /** Caller audio as raw L16 little-endian bytes (any length, odd counts kept for the next call). */
  protected deliverBytes(bytes: Uint8Array): void {
    this.#received();
    this.#chunker.pushBytes(bytes, (f) => this.#write(f));
  }

  /** Caller audio already decoded to PCM at `sampleRate`. */
  protected deliverSamples(samples: Int16Array): void {
    this.#received();
    this.#chunker.pushSamples(samples, (f) => this.#write(f));
  }

  protected deliverDtmf(ev: DtmfEvent): void {
    metrics.dtmfDigits.inc({ source: ev.source });
    this.emit('dtmf', ev);
  }

  /** A mark came back: the audio before it has been played. */
  protected ackMark(name: string): void {
    this.ledger.ack(name);
  }

  protected countDropped(): void {
    this.#stats.packetsDropped++;
  }

  /** The agent stopped talking (the playout ran dry); file-based playback flushes its last chunk. */
  protected onIdle(): void {}

  /**
   * How many 20 ms frames to send in the tick where speech starts after silence (1: paced from the
   * first frame). A peer that holds audio back until it has buffered some asks for more.
   */
  protected burstFrames(): number {
    return 1;
  }

  protected abstract wireName(): string;
  protected abstract sendAudio(pcm: Int16Array): void;
  protected abstract sendMark(name: string): void;
  protected abstract sendClear(): void;
  protected abstract closeTransport(reason: string): void;

  #received(): void {
    this.#stats.packetsIn++;
    this.#lastRx = this.#now();
    this.#timedOut = false;
  }

  #write(frame: AudioFrame): void {
    if (this.#direction === 'sendonly' || this.#direction === 'inactive') return;
    this.#sink.write(frame);
  }

  #tick(): void {
    if (this.#closed) return;
    if (!this.#timedOut && this.#timeoutMs > 0 && this.#direction !== 'inactive' && this.#now() - this.#lastRx > this.#timeoutMs) {
      this.#timedOut = true;
      this.emit('media-timeout');
    }
    if (this.#direction === 'recvonly' || this.#direction === 'inactive') return;
    if (this.output.idle) {
      // The end of a burst of speech: one last mark so everything sent is accounted for.
      if (this.#wasPlaying) {
        const name = this.ledger.markNow();
        if (name) this.sendMark(name);
        this.onIdle();
      }
      this.#wasPlaying = false;
      return;
    }
    const frames = this.#wasPlaying ? 1 : Math.max(1, this.burstFrames());
    for (let i = 0; i < frames; i++) {
      if (i > 0 && this.output.idle) break;
      if (!this.output.pullInto(this.#tx)) break;
      this.#wasPlaying = true;
      this.sendAudio(this.#tx);
      this.#stats.packetsOut++;
      const mark = this.ledger.sent(20);
      if (mark) this.sendMark(mark);
    }
  }
}
