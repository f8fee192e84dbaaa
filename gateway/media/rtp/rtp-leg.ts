import { EventEmitter } from 'node:events';
import type { RemoteInfo, Socket } from 'node:dgram';
import { CodecDataError, createDecoder, createEncoder, createResampler } from '../../../codecs/index.ts';
import { samplesPer20ms, type CodecInfo, type Decoder } from '../../../codecs/types.ts';
import type { Logger } from '../../log.ts';
import { metrics } from '../../metrics.ts';
import { nullSink, type AudioSink } from '../audio-sink.ts';
import type { DtmfDigit, DtmfEvent } from '../dtmf.ts';
import type { MediaDirection, MediaLeg, MediaLegEvents, MediaStats } from '../media-leg.ts';
import type { Pacer } from '../pacer.ts';
import { Playout, type ResamplerFactory } from '../playout.ts';
import { Rfc4733Receiver } from './dtmf-rfc4733.ts';
import { JitterBuffer } from './jitter-buffer.ts';
import { SourceLatch } from './latch.ts';
import { isRtcp, parseRtp, type RtpPacket } from './packet.ts';
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
 *   in:  UDP ─▶ parse ─▶ latch ─▶ JitterBuffer ─(tick)─▶ decode / FEC / conceal ─▶ sink
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
  readonly #jb: JitterBuffer<RtpPacket>;
  readonly #decoder: Decoder;
  readonly #sender: RtpSender;
  readonly #dtmfRx: Rfc4733Receiver;
  readonly #reception = new ReceptionStats();
  readonly #rxPcm: Int16Array;
  readonly #out: RtpOutbound;
  readonly #rtcpBuf = new Uint8Array(512);
  readonly #unregister: () => void;
  #sink: AudioSink = nullSink;
  #direction: MediaDirection = 'sendrecv';
  #rxTimeline = 0;
  #rxStarted = false;
  /** How long the last played packet waited in the jitter buffer (dates concealed and silent frames). */
  #rxDelayMs = 0;
  #lastRxMs: number;
  #timedOut = false;
  #nextRtcpMs: number;
  /** The peer multiplexes RTCP on the RTP port (RFC 5761), or its RTCP source when it does not. */
  #rtcpMux = false;
  #rtcpFrom: { address: string; port: number } | undefined;
  #packetsIn = 0;
  #dropped = 0;
  /** Jitter-buffer counts already added to the metrics (it counts some losses on its own, when trimming). */
  #lostCounted = 0;
  #overflowCounted = 0;
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
    this.#jb = new JitterBuffer({ minMs: opts.jitter.min, maxMs: opts.jitter.max, clockRate: opts.codec.clockRate });
    this.#decoder = createDecoder(opts.codec);
    this.#sender = new RtpSender({ encoder: createEncoder(opts.codec), telephoneEventPt: opts.telephoneEventPt });
    this.#dtmfRx = new Rfc4733Receiver({ clockRate: opts.codec.clockRate });
    // Room for a peer whose packets are longer than 20 ms (ptime up to 120 ms).
    this.#rxPcm = new Int16Array(samplesPer20ms(this.sampleRate) * 6);
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
    this.#sink = sink;
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
    return { packetsIn: this.#packetsIn, packetsOut: this.#sender.packetsSent, packetsLost: this.#jb.stats.lost, packetsDropped: this.#dropped, jitterMs: this.#jb.jitterMs };
  }

  describe(): string {
    // Both directions, each stage with its rate, so an inserted resampler (or a missing one) shows.
    const c = this.codec;
    const codec = `${c.name}/${c.clockRate}${c.channels > 1 ? `/${c.channels}` : ''} pt${c.payloadType}`;
    const rx = `RTP(${codec}) → JitterBuffer(${this.#o.jitter.min}–${this.#o.jitter.max}ms) → ${c.name}(decode@${this.sampleRate}) → ${this.#sink.describe()}`;
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
    this.#decoder.close?.();
    if (this.#packetsIn > 0) metrics.rtpJitterMs.observe(this.#jb.jitterMs);
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
    const r = this.#jb.push(p, now);
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
    this.#receiveTick(now);
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

  #receiveTick(now: number): void {
    const r = this.#jb.pop();
    const { lost, overflow } = this.#jb.stats;
    if (lost > this.#lostCounted) metrics.rtpPacketsLost.inc(lost - this.#lostCounted);
    if (overflow > this.#overflowCounted) {
      metrics.rtpPacketsDropped.inc({ reason: 'overflow' }, overflow - this.#overflowCounted);
      this.#dropped += overflow - this.#overflowCounted;
    }
    this.#lostCounted = lost;
    this.#overflowCounted = overflow;
    let n: number;
    if (r.kind === 'frame') {
      this.#rxDelayMs = Math.max(0, now - r.arrivalMs);
      n = r.packet.payloadType === this.codec.payloadType ? this.#decode(r.packet.payload) : this.#silence();
    } else if (r.kind === 'lost') {
      n = this.#fillLost();
    } else {
      // Keep the caller's timeline running through pauses, once the stream has begun.
      if (!this.#rxStarted) return;
      n = this.#silence();
    }
    this.#rxStarted = true;
    // A frame without a packet is dated as if its packet had waited as long as the last one did.
    const arrivalMs = r.kind === 'frame' ? r.arrivalMs : now - this.#rxDelayMs;
    const frame = { samples: this.#rxPcm.subarray(0, n), sampleRate: this.sampleRate, timestamp: this.#rxTimeline, arrivalMs };
    this.#rxTimeline += n;
    this.#sink.write(frame);
  }

  /**
   * A payload the codec cannot use (corrupt opus, empty or over-long G.722) is counted and replaced
   * by what the codec still produced, else by its concealment: bad input never leaves the media path.
   */
  #decode(payload: Uint8Array): number {
    try {
      return this.#decoder.decodeInto(payload, this.#rxPcm);
    } catch (err) {
      if (!(err instanceof CodecDataError)) throw err;
      metrics.codecErrors.inc({ codec: this.codec.name, problem: err.problem });
      return err.written > 0 ? err.written : this.#decoder.concealInto(this.#rxPcm);
    }
  }

  /**
   * A lost frame: rebuilt from the in-band FEC of the packet after the gap when that packet is
   * already buffered and the codec can (Opus, RFC 6716 §2.1.7), else concealed by the codec.
   */
  #fillLost(): number {
    const next = this.#jb.peekNext();
    let method: 'fec' | 'plc' = 'plc';
    let n: number;
    if (next !== undefined && next.payloadType === this.codec.payloadType && this.#decoder.recoverInto) {
      const r = this.#decoder.recoverInto(next.payload, this.#rxPcm);
      n = r.samples;
      method = r.method;
    } else {
      n = this.#decoder.concealInto(this.#rxPcm);
    }
    metrics.codecLostFrames.inc({ codec: this.codec.name, method });
    return n;
  }

  #silence(): number {
    const n = samplesPer20ms(this.sampleRate);
    this.#rxPcm.fill(0, 0, n);
    return n;
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
    const block = this.#reception.reportBlock(this.#jb.jitterUnits, now);
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
