/**
 * Packet-loss concealment after ITU-T G.711 Appendix I (09/1999): periodic waveform substitution.
 *
 * - Every good frame is copied into a history of the newest 48.75 ms (HISTORYLEN, a ring kept by
 *   `copyWithin`: one short memmove per frame).
 * - At the start of a loss the pitch period P is found in the history (pitch.ts) and the newest
 *   period is repeated. Its last quarter period is overlap-added with the quarter period before it,
 *   so the end of each repetition flows into its start without a click.
 * - The first 10 ms repeat one period; at 10 ms and at 20 ms into the loss one more period of
 *   history is used (up to 3), cross-faded over P/4, which breaks the buzz of a single repeated cycle.
 * - From 10 ms on the output is attenuated linearly by 20 % per 10 ms, so it is silent at 60 ms.
 * - The first good frame after a loss is overlap-added with the synthetic continuation over P/4
 *   plus 4 ms per further 10 ms lost (at most 10 ms).
 *
 * One deliberate difference: the Appendix delays all output by 3.75 ms so the start-of-loss
 * overlap-add can rewrite the last quarter period already decoded. Our decoders stay undelayed (and
 * bit-exact with sox/ffmpeg when nothing is lost), so that overlap is moved to the first P/4
 * synthetic samples: they carry a fading offset that makes the step from the last real sample to
 * the first synthetic one the signal's own step one period earlier (no jump at the join).
 */
import { findPitch } from './pitch.ts';
import { plcParams, type PlcParams } from './params.ts';

/** Linear cross-fade weight of the incoming signal at step `i` of `len` (never exactly 0 or 1). */
function fadeIn(i: number, len: number): number {
  return (i + 1) / (len + 1);
}

function clamp16(v: number): number {
  return v > 32767 ? 32767 : v < -32768 ? -32768 : Math.round(v);
}

export class G711AppendixIConcealer {
  readonly params: PlcParams;
  /** The newest `historyLen` output samples, oldest first. */
  readonly #history: Int16Array;
  /** The history frozen at the start of the loss: the periods we repeat. */
  readonly #pitchBuf: Float32Array;
  /** The original last quarter period, kept to redo the end overlap when a period is added. */
  readonly #lastQuarter: Float32Array;
  /** The old continuation being faded out after a period is added. */
  readonly #fadeFrom: Float32Array;
  #primed = false;
  #lost = 0; // samples concealed in the current loss (0: not in a loss)
  #pitch = 0;
  #overlap = 0;
  #periods = 0; // periods of pitchBuf being repeated (1..3)
  #offset = 0; // read position within the repeated span
  #fadeLeft = 0;
  #shift = 0; // start-of-loss offset, faded out over the first P/4 samples
  #shiftLeft = 0;

  constructor(sampleRate = 8000) {
    this.params = plcParams(sampleRate);
    this.#history = new Int16Array(this.params.historyLen);
    this.#pitchBuf = new Float32Array(this.params.historyLen);
    this.#lastQuarter = new Float32Array(this.params.overlapMax);
    this.#fadeFrom = new Float32Array(this.params.overlapMax);
  }

  /** Samples concealed in the loss under way (0 when the last frame was good). */
  get lostSamples(): number {
    return this.#lost;
  }

  /** Pitch period (samples) used for the loss under way or the last one; 0 before any loss. */
  get pitch(): number {
    return this.#pitch;
  }

  /**
   * A good decoded frame. After a loss its start is overlap-added, in place, with the synthetic
   * continuation; then it joins the history.
   */
  good(pcm: Int16Array): void {
    if (pcm.length === 0) return;
    if (this.#lost > 0) this.#recover(pcm);
    this.#remember(pcm);
    this.#primed = true;
  }

  /** Fills `out` with the concealment of its length of lost audio (silence before any good frame). */
  conceal(out: Int16Array): void {
    if (!this.#primed) {
      out.fill(0);
      return;
    }
    if (this.#lost === 0) this.#startLoss();
    const p = this.params;
    const silentFrom = p.maxFrames * p.frame;
    for (let i = 0; i < out.length; i++) {
      const t = this.#lost++;
      if (t >= silentFrom) {
        out[i] = 0;
        continue;
      }
      // Appendix I: one more period of history at the start of the 2nd and 3rd 10 ms frames.
      if (t > 0 && t % p.frame === 0 && t <= 2 * p.frame) this.#addPeriod();
      out[i] = clamp16(this.#next() * this.#gain(t));
    }
    this.#remember(out);
  }

  /** Gain at sample `t` of a loss: 1 for 10 ms, then −20 % per 10 ms down to 0 at 60 ms. */
  #gain(t: number): number {
    const p = this.params;
    return t < p.frame ? 1 : Math.max(0, 1 - (t - p.frame) * p.attenuationPerSample);
  }

  /** The next synthetic sample (before attenuation), with any cross-fade in progress applied. */
  #next(): number {
    const span = this.#periods * this.#pitch;
    const start = this.#pitchBuf.length - span;
    let v = this.#pitchBuf[start + this.#offset]!;
    if (++this.#offset >= span) this.#offset = 0;
    if (this.#fadeLeft > 0) {
      const i = this.#overlap - this.#fadeLeft--;
      const w = fadeIn(i, this.#overlap);
      v = (1 - w) * this.#fadeFrom[i]! + w * v;
    }
    if (this.#shiftLeft > 0) v += this.#shift * (this.#shiftLeft-- / this.#overlap);
    return v;
  }

  #startLoss(): void {
    const h = this.#history;
    const buf = this.#pitchBuf;
    const n = buf.length;
    for (let i = 0; i < n; i++) buf[i] = h[i]!;
    this.#pitch = findPitch(buf, n, this.params);
    this.#overlap = Math.max(1, this.#pitch >> 2);
    this.#lastQuarter.set(buf.subarray(n - this.#overlap));
    this.#periods = 1;
    this.#offset = 0;
    this.#fadeLeft = 0;
    this.#blendEnd();
    // The sample that precedes the repeated period in the signal is buf[n - P - 1]; shifting the
    // first synthetic samples by (last real − that sample) makes the join step a natural one.
    this.#shift = h[n - 1]! - buf[n - this.#pitch - 1]!;
    this.#shiftLeft = this.#overlap;
  }

  /** Overlap-adds the last P/4 of the history with the P/4 before the repeated span (Appendix I). */
  #blendEnd(): void {
    const buf = this.#pitchBuf;
    const L = this.#overlap;
    const before = buf.length - this.#periods * this.#pitch - L;
    for (let i = 0; i < L; i++) {
      const w = fadeIn(i, L);
      buf[buf.length - L + i] = (1 - w) * this.#lastQuarter[i]! + w * buf[before + i]!;
    }
  }

  /** Uses one more period of history, cross-fading from the old continuation over P/4. */
  #addPeriod(): void {
    const span = this.#periods * this.#pitch;
    const start = this.#pitchBuf.length - span;
    for (let i = 0, o = this.#offset; i < this.#overlap; i++) {
      this.#fadeFrom[i] = this.#pitchBuf[start + o]!;
      if (++o >= span) o = 0;
    }
    this.#periods++;
    // Same phase one period earlier: the read position keeps its place modulo P.
    this.#offset %= this.#pitch;
    this.#blendEnd();
    this.#fadeLeft = this.#overlap;
    this.#shiftLeft = 0;
  }

  /**
   * First good frame after a loss: fade the (still attenuated) synthetic continuation out and the
   * frame in over P/4 + 4 ms per further 10 ms lost, at most 10 ms (Appendix I).
   */
  #recover(pcm: Int16Array): void {
    const p = this.params;
    const lostFrames = Math.ceil(this.#lost / p.frame);
    const len = Math.min(p.frame, this.#overlap + (lostFrames - 1) * p.recoveryOverlapStep, pcm.length);
    const silentFrom = p.maxFrames * p.frame;
    for (let i = 0; i < len; i++) {
      const t = this.#lost + i;
      const synth = t >= silentFrom ? 0 : this.#next() * this.#gain(t);
      const w = fadeIn(i, len);
      pcm[i] = clamp16((1 - w) * synth + w * pcm[i]!);
    }
    this.#lost = 0;
    this.#fadeLeft = 0;
    this.#shiftLeft = 0;
  }

  /** Appends `pcm` to the history (the newest `historyLen` samples). */
  #remember(pcm: Int16Array): void {
    const h = this.#history;
    const n = pcm.length;
    if (n >= h.length) {
      h.set(pcm.subarray(n - h.length));
    } else {
      h.copyWithin(0, n);
      h.set(pcm, h.length - n);
    }
  }
}
