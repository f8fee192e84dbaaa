import type { RawData, WebSocket } from 'ws';
import { samplesPer20ms } from '../../../codecs/types.ts';
import { MediaError } from '../../errors.ts';
import { metrics } from '../../metrics.ts';
import { isDtmfDigit, type DtmfDigit } from '../dtmf.ts';
import { ForkPrebuffer } from './fork-buffering.ts';
import { l16Bytes } from './frame-chunker.ts';
import type { ForkSocket } from './fork-server.ts';
import { parseForkEvent, type ForkCommand } from './fork-wire.ts';
import { StreamLeg, type StreamLegOptions } from './stream-leg.ts';

/**
 * The part of a drachtio-fsmrf Endpoint this leg uses (4.1.2; the package ships no types). Tests
 * pass a fake; production passes the Endpoint itself.
 */
export interface FsEndpoint {
  readonly uuid: string;
  play(file: string): Promise<unknown>;
  api(command: string, args: string): Promise<unknown>;
  on(event: 'dtmf', fn: (evt: { dtmf: string; duration?: string }) => void): unknown;
  on(event: 'destroy', fn: () => void): unknown;
  addCustomEventListener(event: string, fn: (body: Record<string, unknown>) => void): unknown;
  destroy(): Promise<unknown>;
}

export interface FreeswitchLegOptions extends Omit<StreamLegOptions, 'sampleRate'> {
  readonly endpoint: FsEndpoint;
  readonly socket: ForkSocket;
  /** The fork's L16 rate (start argument `sampling`), which is also the streaming playback rate. */
  readonly sampleRate: number;
  /** Bidirectional streaming (jambonz's module); false: playAudio files played with ep.play. */
  readonly streaming: boolean;
  /** File mode: agent audio is sent in chunks of this much (default 400 ms). */
  readonly fileChunkMs?: number;
}

const PLAY_AUDIO_EVENT = 'mod_audio_fork::play_audio';

/**
 * A MediaLeg on FreeSWITCH: caller audio from mod_audio_fork's WebSocket (raw L16, a byte stream),
 * agent audio back either streamed (binary L16 + `mark`, `killAudio` on barge-in) or, with the MIT
 * module, as `playAudio` files that FreeSWITCH writes and we play with `ep.play`, broken with
 * `uuid_break`. DTMF comes from the endpoint's events. Closing the leg destroys the endpoint (the
 * FreeSWITCH channel); the channel ending on its own is an `error` for the call to hang up.
 */
export class FreeswitchLeg extends StreamLeg {
  readonly kind = 'freeswitch' as const;
  readonly #ep: FsEndpoint;
  readonly #ws: WebSocket;
  readonly #streaming: boolean;
  readonly #chunkSamples: number;
  /** Streaming: where the module's prebuffer threshold stands (fork-buffering.ts). */
  readonly #prebuffer: ForkPrebuffer;
  readonly #silence: Buffer;
  /** File mode: audio waiting to become a file, and the marks that cover it. */
  #pending: Int16Array[] = [];
  #pendingSamples = 0;
  #pendingMarks: string[] = [];
  /** File mode: marks of chunks sent, in order, acknowledged as their files finish playing. */
  readonly #chunkMarks: string[][] = [];
  readonly #files: { file: string; marks: string[] }[] = [];
  #playing = false;
  #generation = 0;

  constructor(opts: FreeswitchLegOptions) {
    super(opts);
    this.#ep = opts.endpoint;
    this.#ws = opts.socket.ws;
    this.#streaming = opts.streaming;
    this.#chunkSamples = Math.round(((opts.fileChunkMs ?? 400) * opts.sampleRate) / 1000);
    this.#prebuffer = new ForkPrebuffer(samplesPer20ms(opts.sampleRate));
    this.#silence = Buffer.alloc(samplesPer20ms(opts.sampleRate) * 2);
    for (const frame of opts.socket.take()) this.deliverBytes(frame);
    this.#ws.on('message', (data: RawData, isBinary: boolean) => this.#onMessage(data, isBinary));
    this.#ws.on('close', (code: number) => {
      if (!this.closed) this.emit('error', new MediaError(`audio fork closed (${code})`));
    });
    this.#ep.on('dtmf', (evt) => {
      const digit = String(evt.dtmf).toUpperCase();
      if (!isDtmfDigit(digit)) return;
      this.deliverDtmf({ digit, durationMs: Number(evt.duration ?? 0) / 8 || 0, source: 'freeswitch' });
    });
    this.#ep.on('destroy', () => {
      if (!this.closed) this.emit('error', new MediaError('freeswitch channel ended'));
    });
    if (!this.#streaming) this.#ep.addCustomEventListener(PLAY_AUDIO_EVENT, (body) => this.#onFile(body));
  }

  sendDtmf(digits: readonly DtmfDigit[]): Promise<void> {
    return this.#ep.api('uuid_send_dtmf', `${this.#ep.uuid} ${digits.join('')}`).then(() => undefined);
  }

  protected wireName(): string {
    return `AudioFork(L16/${this.sampleRate}${this.#streaming ? ', streaming' : ', files'})`;
  }

  protected sendAudio(pcm: Int16Array): void {
    if (this.#streaming) {
      this.#sendBinary(l16Bytes(pcm), pcm.length);
      return;
    }
    this.#pending.push(pcm.slice());
    this.#pendingSamples += pcm.length;
    if (this.#pendingSamples >= this.#chunkSamples) this.#flushFile();
  }

  protected sendMark(name: string): void {
    if (this.#streaming) return this.#command({ type: 'mark', data: { name } });
    this.#pendingMarks.push(name);
  }

  protected sendClear(): void {
    this.#command({ type: 'killAudio' });
    // Sent with the killAudio, so the clear it triggers also drops what the prebuffer held back
    // (fork-buffering.ts, 2); later, that leftover would start the next utterance.
    if (this.#streaming) return this.#pad();
    // killAudio does not cut a playback the app started itself: break it (reference page, "seen").
    this.#generation++;
    this.#pending = [];
    this.#pendingSamples = 0;
    this.#pendingMarks = [];
    this.#chunkMarks.length = 0;
    this.#files.length = 0;
    this.#ep.api('uuid_break', `${this.#ep.uuid} all`).catch(() => metrics.freeswitchEndpointErrors.inc({ op: 'uuid_break' }));
  }

  protected override onIdle(): void {
    if (!this.#streaming) return this.#flushFile();
    // The module keeps an utterance's tail (and the mark after it) in its prebuffer until more audio
    // comes: silence pushes it out now (fork-buffering.ts, 2).
    this.#pad();
  }

  #pad(): void {
    for (let i = this.#prebuffer.padFrames(); i > 0; i--) this.#sendBinary(this.#silence, this.#silence.length / 2);
  }

  /** Streaming: as much as the module's prebuffer holds back, at once (fork-buffering.ts, 3). */
  protected override burstFrames(): number {
    return this.#streaming ? this.#prebuffer.leadFrames() : 1;
  }

  protected closeTransport(_reason: string): void {
    if (this.#ws.readyState === this.#ws.OPEN) this.#ws.close(1000);
    this.#ep.destroy().catch(() => metrics.freeswitchEndpointErrors.inc({ op: 'destroy' }));
  }

  #sendBinary(bytes: Buffer, samples: number): void {
    if (this.#ws.readyState !== this.#ws.OPEN) return;
    this.#ws.send(bytes, { binary: true });
    this.#prebuffer.sent(samples);
  }

  #command(cmd: ForkCommand): void {
    if (this.#ws.readyState === this.#ws.OPEN) this.#ws.send(JSON.stringify(cmd));
  }

  #onMessage(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    if (isBinary) {
      this.deliverBytes(Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer));
      return;
    }
    const ev = parseForkEvent(String(data));
    if (ev.kind === 'mark') this.ackMark(ev.ack.name);
    else if (ev.kind === 'bad') metrics.streamMessagesDropped.inc({ leg: 'fork', reason: 'not-json' });
  }

  /** File mode: one chunk of agent audio becomes a playAudio command (base64 raw L16). */
  #flushFile(): void {
    if (this.#pendingSamples === 0) return;
    const pcm = new Int16Array(this.#pendingSamples);
    let o = 0;
    for (const p of this.#pending) {
      pcm.set(p, o);
      o += p.length;
    }
    this.#pending = [];
    this.#pendingSamples = 0;
    this.#chunkMarks.push(this.#pendingMarks);
    this.#pendingMarks = [];
    this.#command({ type: 'playAudio', data: { audioContentType: 'raw', sampleRate: this.sampleRate, audioContent: l16Bytes(pcm).toString('base64') } });
  }

  /** FreeSWITCH wrote a chunk to a file (`mod_audio_fork::play_audio {file}`): play files in order. */
  #onFile(body: Record<string, unknown>): void {
    const file = body['file'];
    const marks = this.#chunkMarks.shift() ?? [];
    if (typeof file !== 'string' || this.closed) return;
    this.#files.push({ file, marks });
    if (!this.#playing) void this.#playNext();
  }

  async #playNext(): Promise<void> {
    const gen = this.#generation;
    this.#playing = true;
    for (let next = this.#files.shift(); next; next = this.#files.shift()) {
      try {
        await this.#ep.play(next.file);
      } catch {
        metrics.freeswitchEndpointErrors.inc({ op: 'play' });
      }
      if (gen !== this.#generation || this.closed) break;
      for (const m of next.marks) this.ackMark(m);
    }
    this.#playing = false;
    // Files that came after a barge-in (a new generation) start now.
    if (this.#files.length > 0 && !this.closed) void this.#playNext();
  }
}
