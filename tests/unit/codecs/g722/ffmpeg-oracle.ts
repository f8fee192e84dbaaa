/**
 * Test helper: ffmpeg's `g722` encoder and decoder as the outside oracle for G.722 (design §4.12),
 * plus the test inputs. A missing tool FAILS the test naming its Debian package, never skips.
 */
import { readFileSync } from 'node:fs';
import { readPcm, run, writeBytes, writePcm } from '../g711/sox-oracle.ts';

export { tempDir } from '../g711/sox-oracle.ts';

const QUIET = ['-hide_banner', '-loglevel', 'error', '-y'];

/** `ffmpeg -f s16le -ar 16000 -ac 1 -i in.raw -acodec g722 -f g722 out.g722` */
export function ffmpegEncode(pcm: Int16Array, dir: { path(n: string): string }): Uint8Array {
  const input = dir.path('enc-in.raw');
  const output = dir.path('enc-out.g722');
  writePcm(input, pcm);
  run('ffmpeg', [...QUIET, '-f', 's16le', '-ar', '16000', '-ac', '1', '-i', input, '-acodec', 'g722', '-f', 'g722', output], 'ffmpeg');
  return new Uint8Array(readFileSync(output));
}

/** `ffmpeg -f g722 -i in.g722 -f s16le out.raw` (the raw g722 demuxer is 16 kHz mono). */
export function ffmpegDecode(g722: Uint8Array, dir: { path(n: string): string }): Int16Array {
  const input = dir.path('dec-in.g722');
  const output = dir.path('dec-out.raw');
  writeBytes(input, g722);
  run('ffmpeg', [...QUIET, '-f', 'g722', '-i', input, '-f', 's16le', '-acodec', 'pcm_s16le', output], 'ffmpeg');
  return readPcm(output);
}

/** espeak-ng speech resampled by sox to 16 kHz mono PCM16. */
export function speech16k(text: string, dir: { path(n: string): string }): Int16Array {
  const wav = dir.path('speech.wav');
  const raw = dir.path('speech.raw');
  run('espeak-ng', ['-w', wav, text], 'espeak-ng');
  run('sox', ['-D', wav, '-t', 'raw', '-r', '16000', '-c', '1', '-b', '16', '-e', 'signed-integer', raw], 'sox');
  return readPcm(raw);
}

/** Deterministic PRNG (mulberry32) so a failure reproduces. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RATE = 16000;
const clip = (v: number): number => Math.max(-32768, Math.min(32767, Math.round(v)));

export function synth(seconds: number, f: (t: number, i: number) => number): Int16Array {
  const out = new Int16Array(Math.round(seconds * RATE));
  for (let i = 0; i < out.length; i++) out[i] = clip(f(i / RATE, i));
  return out;
}

/** The generated inputs of the issue: tones, sweeps, white noise, silence, full-scale clipped. */
export function generatedInputs(): Record<string, Int16Array> {
  const rnd = prng(722);
  return {
    'tone 1 kHz': synth(1, (t) => 16000 * Math.sin(2 * Math.PI * 1000 * t)),
    'tone 7 kHz (upper band)': synth(1, (t) => 12000 * Math.sin(2 * Math.PI * 7000 * t)),
    'sweep 50 Hz–7.9 kHz': synth(2, (t) => 20000 * Math.sin(2 * Math.PI * (50 * t + ((7900 - 50) / 4) * t * t))),
    'white noise': synth(1, () => (rnd() * 2 - 1) * 30000),
    silence: new Int16Array(RATE),
    'full-scale clipped': synth(1, (t) => 3 * 32767 * Math.sin(2 * Math.PI * 440 * t)),
    'full-scale square': synth(0.5, (_t, i) => (i & 16 ? 32767 : -32768)),
  };
}
