import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { codecInfo, createDecoder, createEncoder } from '../../codecs/index.ts';
import type { CodecInfo, Decoder, Encoder } from '../../codecs/types.ts';
import { assertLoopback } from '../../tests/integration/harness/raw-sip.ts';
import { loudShare, rms } from './turn-detect.ts';

/**
 * The benchmarks' caller: a SIP UAC over loopback UDP (INVITE → 200 → ACK … BYE) with one RTP stream
 * in a codec of our choosing (PCMU or G.722, encoded with codecs/), paced by a drift-corrected 20 ms
 * clock. What it sends is a queue of frames, each flagged voiced or not; it timestamps every packet
 * right before the socket send and every packet it receives right on arrival, with the received
 * audio's RMS — the caller's side of the wire, on the process clock (performance.now) that the fake
 * model server in the same process also uses.
 */

export type BenchCodec = 'PCMU' | 'G722';

export interface SentPacket {
  readonly seq: number;
  readonly at: number;
  readonly voiced: boolean;
}

export interface ReceivedPacket {
  readonly seq: number;
  readonly at: number;
  readonly rms: number;
  /** Share of samples with |x| ≥ 1000 (turn-detect.ts loudShare). */
  readonly loud: number;
}

export class BenchCaller {
  readonly sent: SentPacket[] = [];
  readonly heard: ReceivedPacket[] = [];
  ended = false;
  readonly #sip: dgram.Socket;
  readonly #rtp: dgram.Socket;
  readonly #target: { host: string; port: number };
  readonly #info: CodecInfo;
  readonly #enc: Encoder;
  readonly #dec: Decoder;
  readonly #spf: number;
  readonly #callId = `${randomBytes(8).toString('hex')}@127.0.0.1`;
  readonly #fromTag = randomBytes(4).toString('hex');
  readonly #ssrc = randomBytes(4).readUInt32BE(0);
  readonly #queue: { pcm: Int16Array; voiced: boolean }[] = [];
  readonly #rxPcm: Int16Array;
  readonly #pkt: { readonly length: number };
  #toTag = '';
  #remote: { host: string; port: number } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #seq = 1;
  #ts = 0;
  #waiter: ((m: string) => boolean) | undefined;

  private constructor(sip: dgram.Socket, rtp: dgram.Socket, target: { host: string; port: number }, codec: BenchCodec) {
    this.#sip = sip;
    this.#rtp = rtp;
    this.#target = target;
    this.#info = codecInfo(codec);
    this.#enc = createEncoder(this.#info);
    this.#dec = createDecoder(this.#info);
    this.#spf = this.#info.sampleRate / 50;
    this.#rxPcm = new Int16Array(this.#spf * 2);
    this.#pkt = { length: 12 + this.#spf * 2 };
    sip.on('message', (m) => this.#onSip(m.toString('latin1')));
    rtp.on('message', (m) => this.#onRtp(m));
  }

  static async open(target: { host: string; port: number }, codec: BenchCodec): Promise<BenchCaller> {
    assertLoopback(target.host);
    const bind = (s: dgram.Socket): Promise<void> => new Promise((resolve, reject) => (s.once('error', reject), s.bind(0, '127.0.0.1', () => resolve())));
    const sip = dgram.createSocket('udp4');
    const rtp = dgram.createSocket('udp4');
    await Promise.all([bind(sip), bind(rtp)]);
    return new BenchCaller(sip, rtp, target, codec);
  }

  /** Samples per 20 ms frame at the codec's PCM rate. */
  get frameSamples(): number {
    return this.#spf;
  }

  get sampleRate(): number {
    return this.#info.sampleRate;
  }

  /** Frames waiting to be sent. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Queues `pcm` (at the codec's rate) after what is already queued; a partial last frame is padded with silence. */
  say(pcm: Int16Array, voiced: boolean): void {
    for (let off = 0; off < pcm.length; off += this.#spf) {
      const f = new Int16Array(this.#spf);
      f.set(pcm.subarray(off, Math.min(off + this.#spf, pcm.length)));
      this.#queue.push({ pcm: f, voiced });
    }
  }

  async call(timeoutMs = 10_000): Promise<void> {
    const pt = this.#info.payloadType;
    const sdp = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${this.#rtp.address().port} RTP/AVP ${pt} 101`, `a=rtpmap:${pt} ${this.#info.name}/${this.#info.clockRate}`, 'a=rtpmap:101 telephone-event/8000', 'a=ptime:20', 'a=sendrecv', ''].join('\r\n');
    const final = this.#wait((m) => /^SIP\/2\.0 [2-6]\d\d /.test(m) && /CSeq:\s*1 INVITE/i.test(m), timeoutMs);
    await this.#send(this.#request('INVITE', 1, sdp));
    const resp = await final;
    if (!resp.startsWith('SIP/2.0 200')) throw new Error(`call refused: ${resp.split('\r\n')[0]}`);
    this.#toTag = /^To:.*;tag=([^;\s]+)/im.exec(resp)?.[1] ?? '';
    const c = /^c=IN IP4 (\S+)/m.exec(resp)?.[1];
    const m = /^m=audio (\d+)/m.exec(resp)?.[1];
    if (!c || !m) throw new Error('200 OK without usable SDP');
    assertLoopback(c);
    this.#remote = { host: c, port: Number(m) };
    await this.#send(this.#request('ACK', 1));
    this.#startMedia();
  }

  async hangup(): Promise<void> {
    this.#stopMedia();
    if (this.ended) return;
    const ok = this.#wait((m) => m.startsWith('SIP/2.0') && /CSeq:\s*2 BYE/i.test(m), 3000).catch(() => '');
    await this.#send(this.#request('BYE', 2));
    await ok;
    this.ended = true;
  }

  close(): void {
    this.#stopMedia();
    this.#sip.close();
    this.#rtp.close();
  }

  #request(method: string, cseq: number, body = ''): string {
    const { host, port } = this.#target;
    const lport = this.#sip.address().port;
    return [
      `${method} sip:bench@${host}:${port} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${lport};branch=z9hG4bK${randomBytes(6).toString('hex')};rport`,
      'Max-Forwards: 70',
      `From: <sip:caller@127.0.0.1>;tag=${this.#fromTag}`,
      `To: <sip:bench@${host}:${port}>${this.#toTag ? `;tag=${this.#toTag}` : ''}`,
      `Call-ID: ${this.#callId}`,
      `CSeq: ${cseq} ${method}`,
      `Contact: <sip:caller@127.0.0.1:${lport}>`,
      ...(body ? ['Content-Type: application/sdp'] : []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n');
  }

  #send(msg: string): Promise<void> {
    return new Promise((resolve, reject) => this.#sip.send(Buffer.from(msg, 'latin1'), this.#target.port, this.#target.host, (e) => (e ? reject(e) : resolve())));
  }

  #wait(match: (m: string) => boolean, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => ((this.#waiter = undefined), reject(new Error('no SIP answer in time'))), timeoutMs);
      this.#waiter = (m) => {
        if (!match(m)) return false;
        clearTimeout(t);
        this.#waiter = undefined;
        resolve(m);
        return true;
      };
    });
  }

  #onSip(m: string): void {
    if (this.#waiter?.(m)) return;
    if (m.startsWith('SIP/2.0')) return;
    // A request from the gateway (its BYE): 200 with its own Via/From/To/Call-ID/CSeq (RFC 3261 §8.2.6).
    const keep = m.split('\r\n').filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l));
    void this.#send(['SIP/2.0 200 OK', ...keep, 'Content-Length: 0', '', ''].join('\r\n'));
    if (m.startsWith('BYE ')) {
      this.ended = true;
      this.#stopMedia();
    }
  }

  #onRtp(m: Buffer): void {
    const at = performance.now();
    if (m.length < 12 || m[0]! >> 6 !== 2 || (m[1]! & 0x7f) !== this.#info.payloadType) return;
    const payload = m.subarray(12 + 4 * (m[0]! & 0x0f));
    const n = this.#dec.decodeInto(payload, this.#rxPcm);
    const pcm = this.#rxPcm.subarray(0, n);
    this.heard.push({ seq: m.readUInt16BE(2), at, rms: rms(pcm), loud: loudShare(pcm, 1000) });
  }

  #startMedia(): void {
    const silence = new Int16Array(this.#spf);
    const started = performance.now();
    let frames = 0;
    const tick = (): void => {
      // Drift-corrected 20 ms clock (next = start + n·20, never now + 20); bounded catch-up after a stall.
      for (let k = 0; k < 5 && performance.now() - started >= frames * 20; k++, frames++) {
        const f = this.#queue.shift();
        this.#sendRtp(f?.pcm ?? silence, f?.voiced ?? false);
      }
      this.#timer = setTimeout(tick, Math.max(0, started + frames * 20 - performance.now()));
    };
    tick();
  }

  #sendRtp(pcm: Int16Array, voiced: boolean): void {
    if (!this.#remote) return;
    // A fresh buffer per packet: dgram may still hold the previous one when the next is written.
    const p = Buffer.alloc(this.#pkt.length);
    p[0] = 0x80;
    p[1] = this.#info.payloadType;
    p.writeUInt16BE(this.#seq & 0xffff, 2);
    p.writeUInt32BE(this.#ts >>> 0, 4);
    p.writeUInt32BE(this.#ssrc, 8);
    const n = this.#enc.encodeInto(pcm, p.subarray(12));
    // RTP timestamps run at the clock rate (G.722: 8000 for 16 kHz audio, RFC 3551 §4.5.2).
    this.#ts += (this.#spf * this.#info.clockRate) / this.#info.sampleRate;
    const seq = this.#seq++ & 0xffff;
    const at = performance.now();
    this.#rtp.send(p.subarray(0, 12 + n), this.#remote.port, this.#remote.host);
    this.sent.push({ seq, at, voiced });
  }

  #stopMedia(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
