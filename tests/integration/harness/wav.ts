import { readFileSync } from 'node:fs';

/**
 * Minimal RIFF/WAVE reader for PCM16 mono/stereo files (what baresip's sndfile module writes) and a
 * speech-energy measure: how much of a recording has RMS above a threshold, in 20 ms frames.
 *
 *   "RIFF" size "WAVE"  then chunks: id(4) size(4 LE) data…  ("fmt " then "data")
 *   fmt: format(2)=1 PCM, channels(2), sampleRate(4), byteRate(4), blockAlign(2), bitsPerSample(2)
 */

export interface Wav {
  readonly sampleRate: number;
  readonly channels: number;
  /** First channel only, PCM16. */
  readonly samples: Int16Array;
  readonly durationSec: number;
}

export function parseWav(buf: Buffer): Wav {
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE file');
  }
  let off = 12;
  let sampleRate = 0;
  let channels = 0;
  let bits = 0;
  let data: Buffer | null = null;
  // Bounded by the buffer: each chunk advances by at least 8 bytes.
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    let size = buf.readUInt32LE(off + 4);
    const body = off + 8;
    // Writers that never finalise the header leave size 0 or 0xffffffff on "data": take the rest.
    if (id === 'data' && (size === 0 || body + size > buf.length)) size = buf.length - body;
    if (id === 'fmt ') {
      const format = buf.readUInt16LE(body);
      if (format !== 1 && format !== 0xfffe) throw new Error(`unsupported WAV format ${format}`);
      channels = buf.readUInt16LE(body + 2);
      sampleRate = buf.readUInt32LE(body + 4);
      bits = buf.readUInt16LE(body + 14);
    } else if (id === 'data') {
      data = buf.subarray(body, body + size);
    }
    off = body + size + (size % 2);
  }
  if (!data || sampleRate === 0 || channels === 0) throw new Error('WAV without fmt or data chunk');
  if (bits !== 16) throw new Error(`unsupported bits per sample ${bits}`);
  const frames = Math.floor(data.length / (2 * channels));
  const samples = new Int16Array(frames);
  for (let i = 0; i < frames; i++) samples[i] = data.readInt16LE(i * 2 * channels);
  return { sampleRate, channels, samples, durationSec: frames / sampleRate };
}

export function readWav(file: string): Wav {
  return parseWav(readFileSync(file));
}

export interface EnergyReport {
  readonly durationSec: number;
  /** Total duration of 20 ms frames whose RMS exceeds the threshold. */
  readonly speechSec: number;
  /** Seconds from the start to the first loud frame, or null when there is none. */
  readonly firstSpeechSec: number | null;
  readonly peakRms: number;
}

/**
 * Speech energy of a recording. The default threshold (RMS 500 of 32767, about -36 dBFS) is far above
 * G.711 idle noise (silence encodes to ±8 at most) and below any spoken syllable from espeak-ng.
 */
export function speechEnergy(wav: Wav, rmsThreshold = 500, frameMs = 20): EnergyReport {
  const n = Math.max(1, Math.round((wav.sampleRate * frameMs) / 1000));
  let loudFrames = 0;
  let first: number | null = null;
  let peak = 0;
  for (let start = 0; start + n <= wav.samples.length; start += n) {
    let sum = 0;
    for (let i = start; i < start + n; i++) {
      const s = wav.samples[i] ?? 0;
      sum += s * s;
    }
    const rms = Math.sqrt(sum / n);
    if (rms > peak) peak = rms;
    if (rms > rmsThreshold) {
      loudFrames++;
      if (first === null) first = start / wav.sampleRate;
    }
  }
  return { durationSec: wav.durationSec, speechSec: (loudFrames * frameMs) / 1000, firstSpeechSec: first, peakRms: Math.round(peak) };
}
