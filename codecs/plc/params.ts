/**
 * Constants of the ITU-T G.711 Appendix I packet-loss concealment (PLC), scaled to a sample rate.
 * Appendix I defines them at 8 kHz in 10 ms frames; at 16 kHz (our G.722 output) every length
 * doubles so the algorithm covers the same durations and pitch range.
 *
 * | 8 kHz value          | meaning                                                        |
 * |----------------------|----------------------------------------------------------------|
 * | PITCH_MIN  = 40      | shortest pitch period searched (200 Hz)                         |
 * | PITCH_MAX  = 120     | longest pitch period searched (66.7 Hz)                         |
 * | POVERLAPMAX = 30     | longest overlap-add, a quarter of PITCH_MAX (3.75 ms)           |
 * | HISTORYLEN = 390     | history kept: 3 × PITCH_MAX + POVERLAPMAX (48.75 ms)            |
 * | CORRLEN    = 160     | window the pitch correlation runs over (20 ms)                  |
 * | NDEC       = 2       | decimation of the coarse pitch search                           |
 * | EOVERLAPINCR = 32    | extra overlap at recovery per further 10 ms lost (4 ms)         |
 * | FRAMESZ    = 80      | the algorithm's 10 ms frame                                     |
 * | ATTENFAC   = 0.2     | attenuation per 10 ms after the first 10 ms (silent after 60 ms) |
 */
export interface PlcParams {
  readonly sampleRate: number;
  /** Samples in 10 ms (FRAMESZ). */
  readonly frame: number;
  readonly pitchMin: number;
  readonly pitchMax: number;
  readonly overlapMax: number;
  readonly historyLen: number;
  readonly corrLen: number;
  readonly decimation: number;
  /** Energy floor of the normalised correlation, so near-silence does not pick a random lag. */
  readonly corrMinPower: number;
  readonly recoveryOverlapStep: number;
  /** Gain lost per sample once attenuation runs: ATTENFAC / FRAMESZ. */
  readonly attenuationPerSample: number;
  /** Frames of 10 ms synthesised before the output is silent (60 ms). */
  readonly maxFrames: number;
}

export function plcParams(sampleRate: number): PlcParams {
  const s = sampleRate / 8000;
  if (!Number.isInteger(s) || s < 1) throw new RangeError(`PLC needs a multiple of 8000 Hz, got ${sampleRate}`);
  const pitchMax = 120 * s;
  const frame = 80 * s;
  return {
    sampleRate,
    frame,
    pitchMin: 40 * s,
    pitchMax,
    overlapMax: pitchMax >> 2,
    historyLen: 3 * pitchMax + (pitchMax >> 2),
    corrLen: 160 * s,
    decimation: 2 * s,
    corrMinPower: 250 * s,
    recoveryOverlapStep: 32 * s,
    attenuationPerSample: 0.2 / frame,
    maxFrames: 6,
  };
}
