/**
 * What jambonz's mod_audio_fork does with the audio we stream back (bidirectional streaming mode),
 * read from its lws_glue.cpp (freeswitch-modules 1.2.33) and seen on a real FreeSWITCH 1.10.12
 * (notes in deploy/README.md, "Checked against real servers"). Pure: the leg asks these questions.
 *
 * 1. Rate. When the stream's `sampleRate` differs from the channel's own codec rate (`read_rate`:
 *    8000 for G.711), the module resamples our audio with speex — and the resampler also runs over
 *    the in-band mark placeholders (sample 0xFFFF), so every mark sent between audio frames is lost:
 *    on a PCMU call with a 16 kHz stream, 1 of 10 marks came back; at 8 kHz, 10 of 10. After 30 lost
 *    marks (MAX_MARKS) the module drops every new one. So the fork runs at the channel's rate.
 * 2. Prebuffer. Binary audio goes to a prebuffer that moves to the playout buffer only once it holds
 *    `threshold` samples (1280 at first, then 640: `320 × downscale × 4`, then `× 2`; downscale is 1 at
 *    the channel's rate). The tail of an utterance shorter than that stays behind — unheard, its final
 *    mark never acknowledged — until the next utterance pushes it out in front of the new audio; after
 *    a `killAudio` that leftover survives too and is heard at the start of the next utterance (seen:
 *    60 ms of the killed audio). A pad of silence that crosses the threshold sends it all to playout:
 *    after an utterance, so its tail plays; right after `killAudio`, so the pending clear drops it
 *    (seen: no stale audio).
 * 3. First audio. Paced at real time, the first `threshold` samples wait in the prebuffer before any
 *    is heard (80–160 ms). Sending that much at once when a burst of speech starts removes the wait.
 */

/** Sample rates `uuid_audio_fork … start` accepts (a multiple of 8000, mod_audio_fork.c). */
const RATES = new Set([8000, 16000, 24000, 32000, 48000, 64000]);

/** The module's prebuffer thresholds in samples at downscale 1 (lws_glue.cpp fork_data_init / processIncomingBinary). */
export const INITIAL_THRESHOLD = 1280;
export const THRESHOLD = 640;

/**
 * The fork's rate for a call: the FreeSWITCH channel's own rate (`uuid_getvar <uuid> read_rate`, which
 * is what the module compares), or `fallback` (config) when FreeSWITCH gave no usable answer.
 */
export function forkRateFor(readRate: string | undefined, fallback: number): number {
  const n = Number((readRate ?? '').trim());
  return Number.isInteger(n) && RATES.has(n) ? n : fallback;
}

/**
 * Mirrors the module's prebuffer from what we stream: its threshold (1280 until the first transfer,
 * then 640) and how many samples it holds. Each in-band mark adds a placeholder sample there, so the
 * module may empty sooner than this count says — never later: the worst case is a needless pad.
 */
export class ForkPrebuffer {
  readonly #frameSamples: number;
  #threshold = INITIAL_THRESHOLD;
  #pending = 0;

  constructor(frameSamples: number) {
    this.#frameSamples = frameSamples;
  }

  get threshold(): number {
    return this.#threshold;
  }

  /** Samples the module still holds back. */
  get pending(): number {
    return this.#pending;
  }

  /** Records samples sent as binary audio; once the threshold is reached the module plays them all. */
  sent(samples: number): void {
    this.#pending += samples;
    if (this.#pending < this.#threshold) return;
    this.#pending = 0;
    this.#threshold = THRESHOLD;
  }

  /** Frames to send at once when speech starts after silence, the paced one included (≥ 1). */
  leadFrames(): number {
    return Math.max(1, this.#framesToThreshold());
  }

  /** Frames of silence that push what the module holds back into playout (0 when it holds nothing). */
  padFrames(): number {
    return this.#pending === 0 ? 0 : this.#framesToThreshold();
  }

  #framesToThreshold(): number {
    return Math.ceil((this.#threshold - this.#pending) / this.#frameSamples);
  }
}
