import { WebSocket } from 'ws';

/**
 * jambonz mod_audio_fork's playback buffering (lws_glue.cpp, freeswitch-modules 1.2.33; seen on a
 * real FreeSWITCH 1.10.12): streamed audio waits in a prebuffer until it holds `threshold` samples
 * (1280, then 640), then all of it becomes playable; a mark waits in an inventory and enters the
 * stream (as one placeholder sample) only when the next binary frame arrives, or is acked when the
 * playout runs dry with no mark in the stream; when the stream rate differs from the channel's, the
 * resampler destroys the placeholders, so those marks are never acked; 30 pending marks at most.
 * `killAudio` acks pending marks as cleared at once and empties the playout buffer at the next
 * played frame (here: the next `playAll`) — what is still in the prebuffer survives it.
 */
export interface JambonzBuffering {
  readonly channelRate: number;
  readonly streamRate: number;
}

/** Audio (loud: any non-zero sample), a mark's placeholder, or the placeholder of a cleared mark. */
type Item = { kind: 'audio'; samples: number; loud: boolean } | { kind: 'mark'; name: string } | { kind: 'gone' };

/**
 * A WebSocket client that behaves like FreeSWITCH's mod_audio_fork (jambonz fork, checked on the
 * real module — ../shared/reference/drachtio-freeswitch.md): subprotocol `audio.drachtio.org`, a
 * text frame with the metadata verbatim first, then raw L16 LE binary frames whose size follows the
 * packet time and is sometimes coalesced; it acknowledges our `mark`s once the audio before them
 * has "played" and answers `killAudio` by dropping streamed audio and acking pending marks as
 * `cleared`; it stops with close 1000. With `buffering`, playback follows the module's prebuffer
 * and mark rules above instead of playing everything sent.
 */
export class AudioForkClient {
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Binary audio the server streamed to us (L16 LE bytes), before any killAudio cut. */
  readonly streamed: Buffer[] = [];
  readonly commands: { type: string; data?: Record<string, unknown> }[] = [];
  readonly acks: { name: string; event: string }[] = [];
  /** Marks waiting for the audio queued before them. */
  #queue: ({ kind: 'audio'; bytes: number } | { kind: 'mark'; name: string })[] = [];
  readonly #buffering: JambonzBuffering | undefined;
  /** Buffering model: prebuffer (with its size in samples, placeholders included), playable, marks. */
  #pre: Item[] = [];
  #preSize = 0;
  #threshold = 1280;
  #playable: Item[] = [];
  #inventory: string[] = [];
  /** Marks whose placeholder entered the stream, not yet played (destroyed ones stay here). */
  #inUse: string[] = [];
  #clearPending = false;
  /** Buffering model: samples of streamed audio actually played, and those of them that were not silence. */
  playedSamples = 0;
  playedLoudSamples = 0;

  constructor(url: string, protocol: string | undefined = 'audio.drachtio.org', buffering?: JambonzBuffering) {
    this.#buffering = buffering;
    this.ws = protocol ? new WebSocket(url, protocol) : new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => this.ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    this.ws.on('message', (data, isBinary) => {
      if (isBinary) {
        const b = data as Buffer;
        this.streamed.push(b);
        if (this.#buffering) return this.#prebuffer(b.length / 2, b.some((x) => x !== 0));
        this.#queue.push({ kind: 'audio', bytes: b.length });
        return;
      }
      const cmd = JSON.parse(String(data)) as { type: string; data?: Record<string, unknown> };
      this.commands.push(cmd);
      if (cmd.type === 'mark' && this.#buffering) {
        if (this.#inUse.length + this.#inventory.length < 30) this.#inventory.push(String(cmd.data?.['name']));
      } else if (cmd.type === 'mark') this.#queue.push({ kind: 'mark', name: String(cmd.data?.['name']) });
      if (cmd.type === 'killAudio') {
        for (const q of this.#queue.splice(0)) if (q.kind === 'mark') this.#ack(q.name, 'cleared');
        // Pending marks are acked as cleared now; playable audio goes at the next frame; what the
        // prebuffer holds (placeholders of cleared marks included) stays.
        this.#clearPending = true;
        this.#pre = this.#pre.map((q) => (q.kind === 'mark' ? { kind: 'gone' } : q));
        for (const name of [...this.#inUse.splice(0), ...this.#inventory.splice(0)]) this.#ack(name, 'cleared');
      }
    });
  }

  sendMetadata(text: string): void {
    this.ws.send(text);
  }

  sendAudio(bytes: Uint8Array): void {
    this.ws.send(bytes, { binary: true });
  }

  /** "Plays" everything queued: acks the marks in order (FreeSWITCH does this at real time). */
  playAll(): void {
    for (const q of this.#queue.splice(0)) if (q.kind === 'mark') this.#ack(q.name, 'playout');
    if (!this.#buffering) return;
    if (this.#clearPending) this.#playable = [];
    this.#clearPending = false;
    for (const q of this.#playable.splice(0)) {
      if (q.kind === 'audio') {
        this.playedSamples += q.samples;
        if (q.loud) this.playedLoudSamples += q.samples;
      } else if (q.kind === 'mark') {
        this.#inUse.splice(this.#inUse.indexOf(q.name), 1);
        this.#ack(q.name, 'playout');
      }
    }
    // Nothing left to play and no placeholder in the stream: inventory marks are acked.
    if (this.#inUse.length === 0) for (const name of this.#inventory.splice(0)) this.#ack(name, 'playout');
  }

  #prebuffer(samples: number, loud: boolean): void {
    for (const name of this.#inventory.splice(0)) {
      this.#pre.push({ kind: 'mark', name });
      this.#inUse.push(name);
      this.#preSize++;
    }
    this.#pre.push({ kind: 'audio', samples, loud });
    this.#preSize += samples;
    if (this.#preSize < this.#threshold) return;
    this.#threshold = 640;
    const resampled = this.#buffering!.streamRate !== this.#buffering!.channelRate;
    // The resampler turns placeholders into audio: those marks stay "in use" and never come back.
    this.#playable.push(...this.#pre.splice(0).filter((q) => q.kind === 'audio' || (q.kind === 'mark' && !resampled)));
    this.#preSize = 0;
  }

  stop(): void {
    this.ws.close(1000);
  }

  #ack(name: string, event: string): void {
    this.acks.push({ name, event });
    this.ws.send(JSON.stringify({ type: 'mark', data: { name, event } }));
  }
}
