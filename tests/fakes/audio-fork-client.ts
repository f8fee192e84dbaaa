import { WebSocket } from 'ws';

/**
 * A WebSocket client that behaves like FreeSWITCH's mod_audio_fork (jambonz fork, checked on the
 * real module — ../shared/reference/drachtio-freeswitch.md): subprotocol `audio.drachtio.org`, a
 * text frame with the metadata verbatim first, then raw L16 LE binary frames whose size follows the
 * packet time and is sometimes coalesced; it acknowledges our `mark`s once the audio before them
 * has "played" and answers `killAudio` by dropping streamed audio and acking pending marks as
 * `cleared`; it stops with close 1000.
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

  constructor(url: string, protocol: string | undefined = 'audio.drachtio.org') {
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
        this.#queue.push({ kind: 'audio', bytes: b.length });
        return;
      }
      const cmd = JSON.parse(String(data)) as { type: string; data?: Record<string, unknown> };
      this.commands.push(cmd);
      if (cmd.type === 'mark') this.#queue.push({ kind: 'mark', name: String(cmd.data?.['name']) });
      if (cmd.type === 'killAudio') {
        for (const q of this.#queue.splice(0)) if (q.kind === 'mark') this.#ack(q.name, 'cleared');
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
  }

  stop(): void {
    this.ws.close(1000);
  }

  #ack(name: string, event: string): void {
    this.acks.push({ name, event });
    this.ws.send(JSON.stringify({ type: 'mark', data: { name, event } }));
  }
}
