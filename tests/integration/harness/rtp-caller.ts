import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { decodeInto, encodeInto } from '../../../codecs/g711/mulaw.ts';
import { assertLoopback } from './raw-sip.ts';

/**
 * A scripted SIP caller for the agent tests: a UAC over loopback UDP (INVITE → 200 → ACK … BYE) with
 * a PCMU RTP stream paced at 20 ms whose "microphone" is a mix of scheduled speech clips and, when
 * asked, an echo of what it hears (delayed and attenuated — a line echo or a speakerphone), and which
 * records what it hears with the arrival time of each packet. No softphone can echo on purpose, hence
 * this one; calls are still real SIP and RTP against the running gateway.
 */
export interface RtpCallerOptions {
  readonly target: { readonly host: string; readonly port: number };
  readonly user?: string;
  /** Echo what is heard back at `gainDb` after `delayMs` (e.g. −12 dB, 150 ms). */
  readonly echo?: { readonly delayMs: number; readonly gainDb: number };
}

const RATE = 8000;
const FRAME = 160;

export class RtpCaller {
  readonly #sip: dgram.Socket;
  readonly #rtp: dgram.Socket;
  readonly #opts: RtpCallerOptions;
  readonly #callId = `${randomBytes(8).toString('hex')}@127.0.0.1`;
  readonly #fromTag = randomBytes(4).toString('hex');
  #toTag = '';
  #remoteRtp: { host: string; port: number } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #seq = 1;
  #ts = 0;
  readonly #ssrc = randomBytes(4).readUInt32BE(0);
  /** Mic mix: sample index (since call start) → clips scheduled there. */
  readonly #clips: { at: number; pcm: Int16Array }[] = [];
  #sent = 0;
  readonly #echoLine: Int16Array[] = [];
  /** Received audio frames with arrival time (ms since the call was answered). */
  readonly heard: { at: number; pcm: Int16Array }[] = [];
  #answeredAt = 0;
  readonly #sipWaiters: ((m: string) => boolean)[] = [];
  ended = false;

  private constructor(sip: dgram.Socket, rtp: dgram.Socket, opts: RtpCallerOptions) {
    this.#sip = sip;
    this.#rtp = rtp;
    this.#opts = opts;
    sip.on('message', (m) => this.#onSip(m.toString('latin1')));
    rtp.on('message', (m) => this.#onRtp(m));
  }

  static async open(opts: RtpCallerOptions): Promise<RtpCaller> {
    assertLoopback(opts.target.host);
    const bind = (s: dgram.Socket): Promise<void> => new Promise((resolve, reject) => (s.once('error', reject), s.bind(0, '127.0.0.1', () => resolve())));
    const sip = dgram.createSocket('udp4');
    const rtp = dgram.createSocket('udp4');
    await Promise.all([bind(sip), bind(rtp)]);
    return new RtpCaller(sip, rtp, opts);
  }

  /** Milliseconds since the call was answered. */
  now(): number {
    return performance.now() - this.#answeredAt;
  }

  /** Plays `pcm` (8 kHz) into the call starting `atMs` after answer (or now when in the past). */
  say(pcm: Int16Array, atMs?: number): void {
    const at = Math.max(this.#sent, Math.round((((atMs ?? this.now()) * RATE) / 1000) / FRAME) * FRAME);
    this.#clips.push({ at, pcm });
  }

  async call(timeoutMs = 10_000): Promise<void> {
    const { host, port } = this.#opts.target;
    const lport = this.#sip.address().port;
    const sdp = ['v=0', `o=- 1 1 IN IP4 127.0.0.1`, 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${this.#rtp.address().port} RTP/AVP 0 101`, 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16', 'a=ptime:20', 'a=sendrecv', ''].join('\r\n');
    const ok = this.#waitSip((m) => /^SIP\/2\.0 [2-6]\d\d /.test(m) && /CSeq:\s*1 INVITE/i.test(m), timeoutMs);
    await this.#send(this.#request('INVITE', 1, lport, sdp));
    const resp = await ok;
    if (!resp.startsWith('SIP/2.0 200')) throw new Error(`call refused: ${resp.split('\r\n')[0]}`);
    this.#toTag = /^To:.*;tag=([^;\s]+)/im.exec(resp)?.[1] ?? '';
    const c = /^c=IN IP4 (\S+)/m.exec(resp)?.[1];
    const m = /^m=audio (\d+)/m.exec(resp)?.[1];
    if (!c || !m) throw new Error('200 OK without usable SDP');
    this.#remoteRtp = { host: c, port: Number(m) };
    await this.#send(this.#request('ACK', 1, lport));
    this.#answeredAt = performance.now();
    this.#startMedia();
  }

  async hangup(): Promise<void> {
    this.#stopMedia();
    if (this.ended) return;
    const ok = this.#waitSip((m) => /CSeq:\s*2 BYE/i.test(m) && m.startsWith('SIP/2.0'), 3000).catch(() => '');
    await this.#send(this.#request('BYE', 2, this.#sip.address().port));
    await ok;
    this.ended = true;
  }

  close(): void {
    this.#stopMedia();
    this.#sip.close();
    this.#rtp.close();
  }

  /** RMS of what was heard in 20 ms frames between two times (ms since answer). */
  heardRms(fromMs: number, toMs: number): number[] {
    return this.heard.filter((f) => f.at >= fromMs && f.at < toMs).map((f) => rms(f.pcm));
  }

  #request(method: string, cseq: number, lport: number, body = ''): string {
    const { host, port } = this.#opts.target;
    const user = this.#opts.user ?? 'trunkline';
    const to = `<sip:${user}@${host}:${port}>${this.#toTag ? `;tag=${this.#toTag}` : ''}`;
    return [
      `${method} sip:${user}@${host}:${port} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${lport};branch=z9hG4bK${randomBytes(6).toString('hex')};rport`,
      'Max-Forwards: 70',
      `From: <sip:caller@127.0.0.1>;tag=${this.#fromTag}`,
      `To: ${to}`,
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
    const { host, port } = this.#opts.target;
    return new Promise((resolve, reject) => this.#sip.send(Buffer.from(msg, 'latin1'), port, host, (e) => (e ? reject(e) : resolve())));
  }

  #waitSip(match: (m: string) => boolean, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no SIP answer in time')), timeoutMs);
      this.#sipWaiters.push((m) => {
        if (!match(m)) return false;
        clearTimeout(t);
        resolve(m);
        return true;
      });
    });
  }

  #onSip(m: string): void {
    for (let i = 0; i < this.#sipWaiters.length; i++) {
      if (this.#sipWaiters[i]!(m)) {
        this.#sipWaiters.splice(i, 1);
        return;
      }
    }
    // A request from the gateway (its BYE): answer 200 with its own Via/From/To/Call-ID/CSeq.
    if (!m.startsWith('SIP/2.0')) {
      const keep = m.split('\r\n').filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l));
      void this.#send(['SIP/2.0 200 OK', ...keep, 'Content-Length: 0', '', ''].join('\r\n'));
      if (m.startsWith('BYE ')) {
        this.ended = true;
        this.#stopMedia();
      }
    }
  }

  #onRtp(m: Buffer): void {
    if (m.length < 12 || (m[0]! >> 6) !== 2 || (m[1]! & 0x7f) !== 0) return;
    const cc = m[0]! & 0x0f;
    const payload = m.subarray(12 + 4 * cc);
    const pcm = new Int16Array(payload.length);
    decodeInto(payload, pcm);
    this.heard.push({ at: this.now(), pcm });
    if (this.#opts.echo) {
      const g = 10 ** (this.#opts.echo.gainDb / 20);
      this.#echoLine.push(pcm.map((v) => Math.round(v * g)));
    }
  }

  #startMedia(): void {
    const started = performance.now();
    let frames = 0;
    const delayFrames = this.#opts.echo ? Math.round(this.#opts.echo.delayMs / 20) : 0;
    const tick = (): void => {
      // Drift-corrected 20 ms clock; bounded catch-up after a stall.
      for (let n = 0; n < 5 && performance.now() - started >= frames * 20; n++, frames++) {
        const frame = new Int16Array(FRAME);
        for (const c of this.#clips) {
          const off = this.#sent - c.at;
          if (off < 0 || off >= c.pcm.length) continue;
          for (let i = 0; i < FRAME && off + i < c.pcm.length; i++) frame[i] = clamp(frame[i]! + c.pcm[off + i]!);
        }
        // The echo line holds frames heard; start echoing once it is `delayFrames` deep.
        if (this.#echoLine.length > delayFrames) {
          const e = this.#echoLine.shift()!;
          for (let i = 0; i < FRAME && i < e.length; i++) frame[i] = clamp(frame[i]! + e[i]!);
        }
        this.#sendRtp(frame);
        this.#sent += FRAME;
      }
    };
    this.#timer = setInterval(tick, 10);
  }

  #sendRtp(pcm: Int16Array): void {
    if (!this.#remoteRtp) return;
    const pkt = Buffer.alloc(12 + FRAME);
    pkt[0] = 0x80;
    pkt[1] = 0;
    pkt.writeUInt16BE(this.#seq++ & 0xffff, 2);
    pkt.writeUInt32BE(this.#ts >>> 0, 4);
    pkt.writeUInt32BE(this.#ssrc, 8);
    this.#ts += FRAME;
    encodeInto(pcm, pkt.subarray(12));
    this.#rtp.send(pkt, this.#remoteRtp.port, this.#remoteRtp.host);
  }

  #stopMedia(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

function clamp(v: number): number {
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}

export function rms(x: Int16Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return x.length ? Math.sqrt(s / x.length) : 0;
}
