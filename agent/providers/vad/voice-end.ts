/**
 * The true end of voice inside what the VAD still called speech. Silero's probability stays high for
 * several chunks after the voice stops (its recurrent state remembers the speech, and the hysteresis
 * of silero-vad's VADIterator / get_speech_timestamps only lets go below threshold − 0.15), so "the
 * VAD said silence" comes some 60–120 ms after the caller's last voiced frame. An endpointing silence
 * counted from that decision makes every turn that much slower. Frame energy has no such memory:
 * when the VAD says silence, walking back over the frames it still called speech to the last one
 * whose energy stands above the line's noise floor finds where the voice really ended, and the
 * silence is counted from there (LiveKit and Pipecat count from the VAD's own speech end; the energy
 * refinement only ever moves it earlier, never beyond the VAD's decision).
 *
 * Pure bookkeeping: frames go in with their end sample and arrival time, the answer is a time.
 */

export interface VoiceEndOptions {
  /** Longest stretch walked back from the VAD's decision (bounds the refinement). */
  readonly maxWalkBackMs?: number;
  /**
   * Frames remembered (10 s): the noise floor and the peak are taken over them, long enough to hold
   * the pauses around an utterance even when the caller talks without a break for seconds.
   */
  readonly historyFrames?: number;
  /** RMS below which a frame is never voice (−54 dBFS): digital silence, quiet lines. */
  readonly minVoiceRms?: number;
}

interface FrameRecord {
  endSample: number;
  at: number;
  rms: number;
}

/** RMS of PCM16 samples. */
export function frameRms(pcm: Int16Array): number {
  if (pcm.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < pcm.length; i++) sum += pcm[i]! * pcm[i]!;
  return Math.sqrt(sum / pcm.length);
}

/**
 * The energy above which a frame counts as voice: 6 dB over the noise floor (the 10th percentile
 * of recent frame energies: pauses between words keep it honest on a noisy line), at least 34 dB
 * under the loudest recent frame would be, and never below `minRms`.
 */
export function voiceThreshold(energies: readonly number[], minRms: number): number {
  if (energies.length === 0) return minRms;
  const sorted = [...energies].sort((a, b) => a - b);
  const floor = sorted[Math.floor((sorted.length - 1) * 0.1)]!;
  const peak = sorted[sorted.length - 1]!;
  return Math.max(minRms, 2 * floor, 0.02 * peak);
}

/**
 * Index of the last frame at or before `last` whose energy exceeds `threshold`, looking back no
 * further than `first`; -1 when none does.
 */
export function lastVoicedIndex(energies: readonly number[], threshold: number, first: number, last: number): number {
  for (let i = Math.min(last, energies.length - 1); i >= Math.max(0, first); i--) if (energies[i]! > threshold) return i;
  return -1;
}

export class VoiceEndTracker {
  readonly #maxWalkBackMs: number;
  readonly #history: number;
  readonly #minRms: number;
  readonly #frames: FrameRecord[] = [];

  constructor(opts: VoiceEndOptions = {}) {
    this.#maxWalkBackMs = opts.maxWalkBackMs ?? 300;
    this.#history = opts.historyFrames ?? 500;
    this.#minRms = opts.minVoiceRms ?? 64;
  }

  /** One inbound frame: its energy, the stream sample it ends at, and when it arrived. */
  push(rms: number, endSample: number, at: number): void {
    this.#frames.push({ endSample, at, rms });
    if (this.#frames.length > this.#history) this.#frames.shift();
  }

  /**
   * The VAD declared silence for the chunk ending at `decisionSample`, at `decidedAt`: when the last
   * voiced frame up to that chunk arrived. `decidedAt` itself when no frame within the walk-back
   * stands above the noise floor (the VAD heard voice energy cannot show: keep its decision).
   */
  voiceEnd(decisionSample: number, decidedAt: number): number {
    const f = this.#frames;
    let last = f.length - 1;
    while (last >= 0 && f[last]!.endSample > decisionSample) last--;
    if (last < 0) return decidedAt;
    let first = last;
    while (first > 0 && f[last]!.at - f[first - 1]!.at <= this.#maxWalkBackMs) first--;
    const energies = f.map((r) => r.rms);
    const i = lastVoicedIndex(energies, voiceThreshold(energies, this.#minRms), first, last);
    return i < 0 ? decidedAt : Math.min(decidedAt, f[i]!.at);
  }
}
