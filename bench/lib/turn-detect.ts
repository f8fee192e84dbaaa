/**
 * The fake Realtime server's stand-in for `server_vad` turn detection, for the turn-latency and
 * barge-in benchmarks (tests/fakes/openai-realtime/ leaves turn detection to the script). Pure: fed
 * the input audio as the server receives it (one `input_audio_buffer.append` at a time, with its
 * arrival time), it says when speech started and when it stopped — after `silenceMs` of received
 * silence, counted in audio time like the real VAD's `silence_duration_ms` — and when the last voiced
 * chunk arrived: the moment the model's own delay is counted from.
 */

export interface TurnDetectorOptions {
  /** RMS above which a chunk is speech (the bench's caller sends digital silence between turns). */
  readonly voicedRms: number;
  /** Silence (audio ms) after speech that ends a turn. */
  readonly silenceMs: number;
  readonly sampleRate: number;
}

export type TurnEvent =
  | { readonly type: 'speech-started'; readonly at: number }
  | { readonly type: 'speech-stopped'; readonly at: number; readonly lastVoicedAt: number };

export class EnergyTurnDetector {
  readonly #o: TurnDetectorOptions;
  #speaking = false;
  #silentMs = 0;
  #lastVoicedAt = 0;

  constructor(opts: TurnDetectorOptions) {
    this.#o = opts;
  }

  get speaking(): boolean {
    return this.#speaking;
  }

  /** One chunk of input audio (PCM at `sampleRate`) that arrived at `at` (ms). */
  push(pcm: Int16Array, at: number): TurnEvent | undefined {
    if (pcm.length === 0) return undefined;
    const voiced = rms(pcm) >= this.#o.voicedRms;
    if (voiced) {
      this.#lastVoicedAt = at;
      this.#silentMs = 0;
      if (!this.#speaking) {
        this.#speaking = true;
        return { type: 'speech-started', at };
      }
      return undefined;
    }
    if (!this.#speaking) return undefined;
    this.#silentMs += (pcm.length * 1000) / this.#o.sampleRate;
    if (this.#silentMs < this.#o.silenceMs) return undefined;
    this.#speaking = false;
    this.#silentMs = 0;
    return { type: 'speech-stopped', at, lastVoicedAt: this.#lastVoicedAt };
  }
}

export function rms(x: Int16Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return x.length ? Math.sqrt(s / x.length) : 0;
}

/**
 * Share of samples with |x| ≥ `level`. A packet carries agent audio (the benchmarks' steady tone)
 * when most of it is loud: a codec's tail after the tone stopped (G.722's QMF and ADPCM delay smear
 * ~2 ms into the next frame) is a small share, whereas it can still lift a frame's RMS.
 */
export function loudShare(x: Int16Array, level: number): number {
  let n = 0;
  for (let i = 0; i < x.length; i++) if (x[i]! >= level || x[i]! <= -level) n++;
  return x.length ? n / x.length : 0;
}
