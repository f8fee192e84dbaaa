/**
 * Echo-aware barge-in: tells whether inbound audio is only the agent's own voice coming back (line
 * echo, a speakerphone) by comparing it with what was sent. Works on 20 ms RMS envelopes, not
 * waveforms: G.711 and the echo path keep the envelope (a delayed, attenuated copy) while a
 * waveform correlation over a 0–800 ms lag range would cost ~100× more per call.
 *
 * Echo returns attenuated (a line's echo return loss is ≥ 6 dB, G.168), so inbound audio no louder
 * than half of the loudest audio sent within the echo path's lag range is taken for echo; caller
 * speech over it is louder (the Geigel double-talk test, on envelopes). Times are milliseconds on
 * the session's monotonic clock; `sentAt`
 * is when audio will reach the wire (now + what is queued ahead of it in the Playout).
 */

/** Envelope frames (1 s) over which the echo delay is estimated, and the least correlation trusted. */
const CORR_SLOTS = 50;
const MIN_CORR = 0.3;

export interface EchoGateOptions {
  readonly slotMs?: number;
  /** Longest echo path looked for (network both ways, the far end, our jitter buffer). */
  readonly maxLagMs?: number;
  /** Inbound louder than this share of the loudest recently sent audio (amplitude) is caller speech. */
  readonly maxRatio?: number;
  /** How far ahead of the wire audio may be queued and still be remembered. */
  readonly aheadMs?: number;
}

export class EchoGate {
  readonly #slotMs: number;
  readonly #lags: number;
  readonly #maxRatio: number;
  /** Sent RMS per slot, ring indexed by slot number. */
  readonly #ref: Float32Array;
  readonly #refSlot: Float64Array;
  readonly #in: Float32Array;
  readonly #inSlot: Float64Array;
  #lastRefSlot = -Infinity;

  constructor(opts: EchoGateOptions = {}) {
    this.#slotMs = opts.slotMs ?? 20;
    this.#lags = Math.ceil((opts.maxLagMs ?? 800) / this.#slotMs);
    this.#maxRatio = opts.maxRatio ?? 0.5;
    // Sent audio is noted when queued, up to a minute before it is played: the ring must reach that far.
    const n = this.#lags + CORR_SLOTS + 8 + Math.ceil((opts.aheadMs ?? 60_000) / this.#slotMs);
    this.#ref = new Float32Array(n);
    this.#refSlot = new Float64Array(n).fill(-1);
    this.#in = new Float32Array(n);
    this.#inSlot = new Float64Array(n).fill(-1);
  }

  /** Records audio that will be on the wire from `sentAt` on. */
  noteSent(pcm: Int16Array, sampleRate: number, sentAt: number): void {
    const per = Math.max(1, Math.round((sampleRate * this.#slotMs) / 1000));
    for (let off = 0, k = 0; off < pcm.length; off += per, k++) {
      const slot = Math.floor(sentAt / this.#slotMs) + k;
      this.#put(this.#ref, this.#refSlot, slot, rms(pcm, off, Math.min(pcm.length, off + per)));
      if (slot > this.#lastRefSlot) this.#lastRefSlot = slot;
    }
  }

  /** The agent's audio was cleared at `now`: nothing scheduled after it will be sent. */
  cancelAfter(now: number): void {
    const from = Math.floor(now / this.#slotMs) + 1;
    for (let slot = from; slot <= this.#lastRefSlot; slot++) this.#put(this.#ref, this.#refSlot, slot, 0);
    this.#lastRefSlot = Math.min(this.#lastRefSlot, from - 1);
  }

  /** Records one inbound frame received at `at`. */
  noteReceived(pcm: Int16Array, at: number): void {
    this.#put(this.#in, this.#inSlot, Math.floor(at / this.#slotMs), rms(pcm, 0, pcm.length));
  }

  /**
   * True when the inbound audio just received is explained by what we sent. The echo path's delay
   * is found as the lag whose sent envelope correlates best (Pearson) with the last second of inbound
   * envelope; then each frame is checked Geigel-style against the sent audio at that lag (±1 frame):
   * echo is no louder than `maxRatio` of it, caller speech over it is. Two of the last three frames
   * must agree, so one odd frame does not flip the decision.
   */
  isEcho(now: number): boolean {
    const end = Math.floor(now / this.#slotMs);
    const lag = this.#bestLag(end);
    if (lag < 0) return false;
    let votes = 0;
    for (let j = 0; j < 3; j++) {
      let ref = 0;
      for (let d = -1; d <= 1; d++) ref = Math.max(ref, this.#get(this.#ref, this.#refSlot, end - j - lag + d));
      if (this.#get(this.#in, this.#inSlot, end - j) <= this.#maxRatio * ref) votes++;
    }
    return votes >= 2;
  }

  #lagSlot = -Infinity;
  #lag = -1;

  #bestLag(end: number): number {
    if (end === this.#lagSlot) return this.#lag;
    const w = CORR_SLOTS;
    let sx = 0;
    let sxx = 0;
    const xs = new Float32Array(w);
    for (let i = 0; i < w; i++) {
      const v = this.#get(this.#in, this.#inSlot, end - i);
      xs[i] = v;
      sx += v;
      sxx += v * v;
    }
    let best = -1;
    let bestCorr = MIN_CORR;
    for (let lag = 0; lag <= this.#lags; lag++) {
      let sr = 0;
      let srr = 0;
      let sxr = 0;
      for (let i = 0; i < w; i++) {
        const r = this.#get(this.#ref, this.#refSlot, end - i - lag);
        sr += r;
        srr += r * r;
        sxr += xs[i]! * r;
      }
      const cov = sxr - (sx * sr) / w;
      const den = Math.sqrt((sxx - (sx * sx) / w) * (srr - (sr * sr) / w));
      if (den <= 0) continue;
      const corr = cov / den;
      if (corr > bestCorr) {
        bestCorr = corr;
        best = lag;
      }
    }
    this.#lagSlot = end;
    this.#lag = best;
    return best;
  }

  #put(buf: Float32Array, slots: Float64Array, slot: number, v: number): void {
    const i = ((slot % buf.length) + buf.length) % buf.length;
    buf[i] = v;
    slots[i] = slot;
  }

  #get(buf: Float32Array, slots: Float64Array, slot: number): number {
    const i = ((slot % buf.length) + buf.length) % buf.length;
    return slots[i] === slot ? buf[i]! : 0;
  }
}

function rms(pcm: Int16Array, from: number, to: number): number {
  if (to <= from) return 0;
  let sum = 0;
  for (let i = from; i < to; i++) sum += pcm[i]! * pcm[i]!;
  return Math.sqrt(sum / (to - from));
}
