import { EventEmitter } from 'node:events';
import type { RemoteInfo, Socket } from 'node:dgram';
import { createEncoder, createResampler } from '../../../codecs/index.ts';
import type { CodecInfo } from '../../../codecs/types.ts';
import type { Logger } from '../../log.ts';
import { metrics } from '../../metrics.ts';
import type { AudioSink } from '../audio-sink.ts';
import type { DtmfDigit, DtmfEvent } from '../dtmf.ts';
import type { MediaDirection, MediaLeg, MediaLegEvents, MediaStats } from '../media-leg.ts';
import type { Pacer } from '../pacer.ts';
import { Playout, type ResamplerFactory } from '../playout.ts';
import { Rfc4733Receiver } from './dtmf-rfc4733.ts';
import { RtpInbound, type RxRelease } from './inbound.ts';
import { SourceLatch } from './latch.ts';
import { isRtcp, parseRtp } from './packet.ts';
import { bindRtpSocket, type PortPool } from './port-pool.ts';
import { ReceptionStats } from './reception.ts';
import { parseRtcp, writeReceiverReport } from './rtcp.ts';
import { RtpOutbound, type SendState } from './outbound.ts';
import { RtpSender } from './rtp-sender.ts';

export interface RtpLegOptions {
  readonly bindAddress: string;
  readonly pool: PortPool;
  readonly codec: CodecInfo;
  /** Payload type of telephone-event (RFC 4733) agreed in the SDP, if any. */
  readonly telephoneEventPt?: number;
  readonly pacer: Pacer;
  readonly jitter: { readonly min: number; readonly max: number };
  /**
   * When caller frames reach the sink (inbound.ts): `arrival` (default) as soon as they are in order,
   * since every consumer today is a VAD, an STT or a model, never an ear; `paced` one per tick after
   * prebuffering, for a consumer that plays the audio out in real time.
   */
  readonly rxRelease?: RxRelease;
  readonly mediaTimeoutSec: number;
  readonly log: Logger;
  /** Receiver reports every this many ms (RFC 3550 §6.2 suggests ~5 s); 0 turns them off. */
  readonly rtcpIntervalMs?: number;
  /** Resampler for agent audio at other rates; the codecs registry's by default. */
  readonly makeResampler?: ResamplerFactory;
  /** After the first packet, ms during which the peer's port/SSRC may still change (latch.ts); default 0. */
  readonly latchWindowMs?: number;
  /** Inbound datagrams per second accepted on this call's sockets; more are dropped unread (default: no cap). */
  readonly maxPacketsPerSec?: number;
  /** Monotonic ms clock (tests). */
  readonly now?: () => number;
}

/** Drop reasons, a closed set so the metric label stays bounded. */
type DropReason = 'too-short' | 'bad-version' | 'malformed' | 'stranger' | 'unknown-pt' | 'duplicate' | 'late' | 'jump' | 'overflow' | 'rate';

/**
 * The embedded RTP media leg: one UDP socket pair per call, driven by the shared 20 ms pacer.
 *
 *   in:  UDP ─▶ parse ─▶ latch ─▶ JitterBuffer ─(in order, or tick)─▶ decode / FEC / conceal ─▶ sink (inbound.ts)
 *   out: (tick, or at once when a talkspurt starts) Playout.pullInto ─▶ encode ─▶ RtpSender (seq/ts, DTMF interleave) ─▶ UDP
 */
export class RtpLeg extends EventEmitter<MediaLegEvents> implements MediaLeg {
  readonly kind = 'rtp' as const;
  readonly codec: CodecInfo;
  readonly sampleRate: number;
  readonly output: Playout;
  readonly localPort: number;
  readonly #o: RtpLegOptions;
  readonly #rtp: Socket;
  readonly #rtcp: Socket;
  readonly #now: () => number;
  readonly #latch: SourceLatch;
  readonly #in: RtpInbound;
  readonly #sender: RtpSender;
  readonly #dtmfRx: Rfc4733Receiver;
  readonly #reception = new ReceptionStats();
  readonly #out: RtpOutbound;
  readonly #rtcpBuf = new Uint8Array(512);
  readonly #unregister: () => void;
  #direction: MediaDirection = 'sendrecv';
  #lastRxMs: number;
  #timedOut = false;
  #nextRtcpMs: number;
  /** The peer multiplexes RTCP on the RTP port (RFC 5761), or its RTCP source when it does not. */
  #rtcpMux = false;
  #rtcpFrom: { address: string; port: number } | undefined;
  #packetsIn = 0;
  #dropped = 0;
  #closed = false;
  /** Per-second window of the inbound packet-rate cap. */
  #rateWindowStart = 0;
  #rateCount = 0;

  static async open(opts: RtpLegOptions): Promise<RtpLeg> {
    const bound = await bindRtpSocket(opts.pool, opts.bindAddress);
    return new RtpLeg(opts, bound.port, bound.rtp, bound.rtcp);
  }

  private constructor(opts: RtpLegOptions, port: number, rtp: Socket, rtcp: Socket) {
    super();
    this.#o = opts;
    this.codec = opts.codec;
    this.sampleRate = opts.codec.sampleRate;
    this.localPort = port;
    this.#rtp = rtp;
    this.#rtcp = rtcp;
    this.#now = opts.now ?? (() => performance.now());
    this.#latch = new SourceLatch({ windowMs: opts.latchWindowMs ?? 0 });
    this.#lastRxMs = this.#now();
    this.#nextRtcpMs = this.#lastRxMs + (opts.rtcpIntervalMs ?? 5000);
    this.output = new Playout({ sampleRate: this.sampleRate, makeResampler: opts.makeResampler ?? createResampler });
    this.#in = new RtpInbound({ codec: opts.codec, jitter: opts.jitter, release: opts.rxRelease ?? 'arrival' });
    this.#sender = new RtpSender({ encoder: createEncoder(opts.codec), telephoneEventPt: opts.telephoneEventPt });
    this.#dtmfRx = new Rfc4733Receiver({ clockRate: opts.codec.clockRate });
    this.#out = new RtpOutbound({ sender: this.#sender, playout: this.output, send: (p) => this.#sendPacket(p) });
    rtp.on('message', (msg, rinfo) => this.#guard(() => this.#onDatagram(msg, rinfo, true)));
    rtcp.on('message', (msg, rinfo) => this.#guard(() => this.#onDatagram(msg, rinfo, false)));
    for (const s of [rtp, rtcp]) s.on('error', (err) => this.#fail(err));
    this.#unregister = opts.pacer.add(() => this.#tick());
    // After the caller's stack unwinds (the producer may push more or end the segment first).
    this.output.onReady(() => queueMicrotask(() => this.#guard(() => this.#sendAhead())));
  }

  /** A talkspurt is ready between ticks: its first packet leaves now (outbound.ts), not at the next tick. */
  #sendAhead(): void {
    if (!this.#closed && this.#out.ahead(this.#sendState())) metrics.rtpTalkspurtsEarly.inc();
  }

  /** Where the SDP says the peer's media is (answer or re-INVITE); unlatches until its first packet. */
  setRemote(address: string, port: number): void {
    this.#latch.setRemote(address, port);
    this.#lastRxMs = this.#now();
    this.#timedOut = false;
  }

  updateRemote(address: string, port: number): void {
    this.setRemote(address, port);
  }

  connectInput(sink: AudioSink): void {
    this.#in.connect(sink);
  }

  sendDtmf(digits: readonly DtmfDigit[]): Promise<void> {
    return this.#sender.queueDtmf(digits);
  }

  /**
   * Our direction after a hold or resume (RFC 3264 §8.4): we send audio only when sendrecv/sendonly,
   * and expect inbound media (so watch for a media timeout) only when sendrecv.
   */
  setDirection(direction: MediaDirection): void {
    this.#direction = direction;
    this.#lastRxMs = this.#now();
    this.#timedOut = false;
  }

  stats(): MediaStats {
    return { packetsIn: this.#packetsIn, packetsOut: this.#sender.packetsSent, packetsLost: this.#in.jb.stats.lost, packetsDropped: this.#dropped + this.#in.overflowDropped, jitterMs: this.#in.jb.jitterMs };
  }

  describe(): string {
    // Both directions, each stage with its rate, so an inserted resampler (or a missing one) shows.
    const c = this.codec;
    const codec = `${c.name}/${c.clockRate}${c.channels > 1 ? `/${c.channels}` : ''} pt${c.payloadType}`;
    const release = (this.#o.rxRelease ?? 'arrival') === 'arrival' ? ', in order on arrival' : '';
    const rx = `RTP(${codec}) → JitterBuffer(${this.#o.jitter.min}–${this.#o.jitter.max}ms${release}) → ${c.name}(decode@${this.sampleRate}) → ${this.#in.sink.describe()}`;
    const tx = `Playout(${this.sampleRate}) → ${c.name}(encode@${this.sampleRate}) → RTP(${codec})`;
    return `${rx} | ${tx}`;
  }

  close(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unregister();
    this.output.onReady(undefined);
    this.#sender.abort();
    this.output.clear();
    for (const s of [this.#rtp, this.#rtcp]) {
      try {
        s.close();
      } catch {
        // already closed by a socket error
      }
    }
    this.#o.pool.release(this.localPort);
    this.#in.close();
    if (this.#packetsIn > 0) metrics.rtpJitterMs.observe(this.#in.jb.jitterMs);
    this.#o.log.debug({ reason, port: this.localPort, stats: this.stats() }, 'rtp leg closed');
  }

  #onDatagram(msg: Buffer, rinfo: RemoteInfo, onRtpPort: boolean): void {
    if (this.#closed) return;
    if (!onRtpPort || isRtcp(msg)) return this.#onRtcp(msg, rinfo, onRtpPort);
    const parsed = parseRtp(msg);
    if (!parsed.ok) return this.#drop(parsed.reason === 'rtcp' ? 'malformed' : parsed.reason);
    const p = parsed.packet;
    const now = this.#now();
    if (!this.#latch.accept(rinfo.address, rinfo.port, p.ssrc, now)) return this.#drop('stranger');
    if (this.#overRate()) return this.#drop('rate');
    const isAudio = p.payloadType === this.codec.payloadType;
    const isEvent = p.payloadType === this.#o.telephoneEventPt;
    if (!isAudio && !isEvent) return this.#drop('unknown-pt');
    this.#lastRxMs = now;
    this.#timedOut = false;
    // Events share the stream's sequence space, so they take their slot in the buffer too (played
    // as silence) — otherwise every event packet would look like a lost audio packet.
    const r = this.#in.push(p, now);
    if (r === 'duplicate' || r === 'late' || r === 'jump') return this.#drop(r);
    this.#packetsIn++;
    metrics.rtpPacketsIn.inc();
    this.#reception.onPacket(p.ssrc, p.sequence);
    if (isEvent) for (const ev of this.#dtmfRx.push(p, now)) this.#emitDtmf(ev);
  }

  #onRtcp(msg: Buffer, rinfo: RemoteInfo, onRtpPort: boolean): void {
    const target = this.#latch.target;
    if (!target || target.address !== rinfo.address.replace(/^::ffff:(?=\d)/, '')) return this.#drop('stranger');
    if (this.#overRate()) return this.#drop('rate');
    const parsed = parseRtcp(msg);
    if (!parsed.ok) return this.#drop(parsed.reason);
    metrics.rtcpPacketsIn.inc();
    if (onRtpPort) this.#rtcpMux = true;
    else this.#rtcpFrom = { address: rinfo.address, port: rinfo.port };
    for (const p of parsed.packets) {
      if (p.type === 'sr') this.#reception.onSenderReport(p.ntpMsw, p.ntpLsw, this.#now());
    }
  }

  #tick(): void {
    if (this.#closed) return;
    const now = this.#now();
    this.#in.tick(now);
    const late = this.#dtmfRx.poll(now);
    if (late) this.#emitDtmf(late);
    this.#out.tick(this.#sendState());
    if (this.#direction === 'sendrecv' && !this.#timedOut && now - this.#lastRxMs > this.#o.mediaTimeoutSec * 1000) {
      this.#timedOut = true;
      this.#o.log.warn({ port: this.localPort, timeoutSec: this.#o.mediaTimeoutSec }, 'rtp media timeout');
      this.emit('media-timeout');
    }
    const interval = this.#o.rtcpIntervalMs ?? 5000;
    if (interval > 0 && now >= this.#nextRtcpMs) {
      this.#nextRtcpMs = now + interval;
      this.#sendReceiverReport(now);
    }
  }

  /** Whether we send to the caller now: a latched peer, and a direction that includes sending (RFC 3264 §8.4). */
  #sendState(): SendState {
    return this.#latch.target && this.#direction !== 'recvonly' && this.#direction !== 'inactive' ? 'send' : 'hold';
  }

  #sendPacket(packet: Uint8Array): void {
    const to = this.#latch.target;
    if (!to) return;
    this.#send(this.#rtp, Buffer.from(packet), to.port, to.address);
    metrics.rtpPacketsOut.inc();
  }

  #sendReceiverReport(now: number): void {
    const to = this.#latch.target;
    if (!to) return;
    const block = this.#reception.reportBlock(this.#in.jb.jitterUnits, now);
    const len = writeReceiverReport(this.#sender.ssrc, `trunkline-${this.localPort}`, block, this.#rtcpBuf);
    const data = Buffer.from(this.#rtcpBuf.subarray(0, len));
    if (this.#rtcpMux) this.#send(this.#rtp, data, to.port, to.address);
    else this.#send(this.#rtcp, data, this.#rtcpFrom?.port ?? to.port + 1, this.#rtcpFrom?.address ?? to.address);
  }

  #send(socket: Socket, data: Buffer, port: number, address: string): void {
    // A send error (ICMP unreachable while the peer sets up) is transient; the media timeout decides.
    socket.send(data, port, address, (err) => {
      if (err) this.#o.log.debug({ code: (err as NodeJS.ErrnoException).code }, 'rtp send failed');
    });
  }

  #emitDtmf(ev: DtmfEvent): void {
    metrics.dtmfDigits.inc({ source: 'rfc4733' });
    this.#o.log.debug({ pii: { digit: ev.digit }, durationMs: ev.durationMs }, 'dtmf received');
    this.emit('dtmf', ev);
  }

  /** A flood on one call's port costs a counter, not a parse (fixed one-second windows). */
  #overRate(): boolean {
    const cap = this.#o.maxPacketsPerSec;
    if (cap === undefined) return false;
    const now = this.#now();
    if (now - this.#rateWindowStart >= 1000) {
      this.#rateWindowStart = now;
      this.#rateCount = 0;
    }
    return ++this.#rateCount > cap;
  }

  #drop(reason: DropReason): void {
    this.#dropped++;
    metrics.rtpPacketsDropped.inc({ reason });
  }

  /** Network input must never take the process down: a fault in a handler is counted and reported. */
  #guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      metrics.callErrors.inc({ stage: 'rtp' });
      this.#fail(err instanceof Error ? err : new Error(String(err)));
    }
  }

  #fail(err: Error): void {
    if (this.#closed) return;
    this.#o.log.warn({ err }, 'rtp leg error');
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }
}
