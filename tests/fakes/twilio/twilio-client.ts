import { WebSocket } from 'ws';
import { codecInfo, createDecoder, createEncoder } from '../../../codecs/index.ts';

/**
 * A WebSocket client that behaves like Twilio's side of Media Streams (docs: "Media Streams —
 * WebSocket Messages"): it sends `connected`, `start` (with customParameters), then one 20 ms μ-law
 * `media` message per 20 ms; what it receives is played at real time, one 20 ms chunk per tick, and a
 * `mark` is echoed back when the audio queued before it has been played; `clear` drops the buffer and
 * echoes the pending marks at once.
 */
export interface TwilioClientOptions {
  readonly url: string;
  readonly customParameters?: Readonly<Record<string, string>>;
  readonly callSid?: string;
  readonly streamSid?: string;
  /** PCM the "caller" sends (8 kHz); silence when absent. Loops. */
  readonly callerPcm?: Int16Array;
  readonly headers?: Readonly<Record<string, string>>;
}

type Queued = { kind: 'media'; pcm: Int16Array } | { kind: 'mark'; name: string };

export class TwilioClient {
  readonly ws: WebSocket;
  readonly streamSid: string;
  readonly callSid: string;
  /** Everything played to the "caller", decoded to PCM 8 kHz. */
  readonly played: Int16Array[] = [];
  readonly received: { event: string; [k: string]: unknown }[] = [];
  readonly echoedMarks: string[] = [];
  clears = 0;
  closeCode: number | undefined;
  readonly closed: Promise<number>;
  readonly opened: Promise<void>;
  readonly #queue: Queued[] = [];
  #seq = 0;
  #chunk = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #encoder = createEncoder(codecInfo('PCMU'));
  readonly #decoder = createDecoder(codecInfo('PCMU'));
  #callerPos = 0;
  readonly #o: TwilioClientOptions;

  constructor(opts: TwilioClientOptions) {
    this.#o = opts;
    this.streamSid = opts.streamSid ?? `MZ${Math.random().toString(16).slice(2).padEnd(32, '0')}`;
    this.callSid = opts.callSid ?? `CA${Math.random().toString(16).slice(2).padEnd(32, '0')}`;
    this.ws = new WebSocket(opts.url, { headers: { ...(opts.headers ?? {}) } });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code) => {
        this.closeCode = code;
        if (this.#timer) clearInterval(this.#timer);
        resolve(code);
      });
    });
    this.ws.on('message', (data, isBinary) => {
      if (isBinary) throw new Error('Twilio never receives binary frames');
      const msg = JSON.parse(data.toString()) as { event: string; media?: { payload: string }; mark?: { name: string } };
      this.received.push(msg);
      if (msg.event === 'media' && msg.media) {
        const bytes = Buffer.from(msg.media.payload, 'base64');
        const pcm = new Int16Array(bytes.length);
        this.#decoder.decodeInto(bytes, pcm);
        this.#queue.push({ kind: 'media', pcm });
      } else if (msg.event === 'mark' && msg.mark) {
        this.#queue.push({ kind: 'mark', name: msg.mark.name });
      } else if (msg.event === 'clear') {
        this.clears++;
        for (const q of this.#queue.splice(0)) if (q.kind === 'mark') this.#echoMark(q.name);
      }
    });
  }

  /** Sends connected + start and begins the 20 ms media clock. */
  async start(): Promise<void> {
    await this.opened;
    this.sendJson({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    this.sendJson({
      event: 'start',
      sequenceNumber: String(++this.#seq),
      streamSid: this.streamSid,
      start: {
        streamSid: this.streamSid,
        accountSid: 'AC00000000000000000000000000000000',
        callSid: this.callSid,
        tracks: ['inbound'],
        customParameters: this.#o.customParameters ?? {},
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
    });
    this.#timer = setInterval(() => this.#tick(), 20);
  }

  sendJson(obj: unknown): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(obj));
  }

  dtmf(digit: string): void {
    this.sendJson({ event: 'dtmf', streamSid: this.streamSid, sequenceNumber: String(++this.#seq), dtmf: { track: 'inbound_track', digit } });
  }

  stop(): void {
    this.sendJson({ event: 'stop', streamSid: this.streamSid, sequenceNumber: String(++this.#seq), stop: { accountSid: 'AC00000000000000000000000000000000', callSid: this.callSid } });
  }

  /** All played audio so far, concatenated. */
  playedPcm(): Int16Array {
    const n = this.played.reduce((a, p) => a + p.length, 0);
    const out = new Int16Array(n);
    let o = 0;
    for (const p of this.played) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.ws.close(1000);
  }

  #tick(): void {
    // Caller → gateway: one 20 ms μ-law chunk.
    const pcm = new Int16Array(160);
    const src = this.#o.callerPcm;
    if (src && src.length > 0) for (let i = 0; i < 160; i++) pcm[i] = src[this.#callerPos++ % src.length]!;
    const bytes = new Uint8Array(160);
    this.#encoder.encodeInto(pcm, bytes);
    this.#chunk++;
    this.sendJson({
      event: 'media',
      sequenceNumber: String(++this.#seq),
      streamSid: this.streamSid,
      media: { track: 'inbound', chunk: String(this.#chunk), timestamp: String(this.#chunk * 20), payload: Buffer.from(bytes).toString('base64') },
    });
    // Gateway → caller: play 20 ms, echoing the marks reached on the way.
    let playedMs = 0;
    while (this.#queue.length > 0 && playedMs < 20) {
      const q = this.#queue.shift()!;
      if (q.kind === 'mark') this.#echoMark(q.name);
      else {
        this.played.push(q.pcm);
        playedMs += (q.pcm.length / 8000) * 1000;
      }
    }
    while (this.#queue[0]?.kind === 'mark') this.#echoMark((this.#queue.shift() as { name: string }).name);
  }

  #echoMark(name: string): void {
    this.echoedMarks.push(name);
    this.sendJson({ event: 'mark', streamSid: this.streamSid, sequenceNumber: String(++this.#seq), mark: { name } });
  }
}

/** RMS of 20 ms frames above `threshold`, in seconds (same measure as the wav harness). */
export function loudSeconds(pcm: Int16Array, threshold = 500): number {
  let loud = 0;
  for (let s = 0; s + 160 <= pcm.length; s += 160) {
    let sum = 0;
    for (let i = s; i < s + 160; i++) sum += pcm[i]! * pcm[i]!;
    if (Math.sqrt(sum / 160) > threshold) loud++;
  }
  return loud * 0.02;
}
