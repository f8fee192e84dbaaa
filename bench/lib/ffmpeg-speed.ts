import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * ffmpeg's speed for the same job, as a peer measured in the same run: user+system CPU time that
 * `ffmpeg -benchmark` reports (`bench: utime=…s stime=…s`), for a long and a short input, so the
 * difference cancels start-up; speed = audio seconds / CPU seconds ("× real time").
 */

export interface FfmpegJob {
  /** Arguments describing the input (before -i) and the input file. */
  readonly inputArgs: (file: string) => string[];
  /** Arguments describing the output (encoder or null muxer). */
  readonly outputArgs: readonly string[];
}

function run(args: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ffmpeg', ['-hide_banner', '-nostdin', '-benchmark', ...args], { timeout: timeoutMs, maxBuffer: 1 << 20 }, (err, _out, stderr) =>
      err ? reject(new Error(`ffmpeg failed: ${stderr.slice(-300)}`)) : resolve(stderr),
    );
  });
}

export function parseBenchCpuSec(stderr: string): number {
  const m = /bench:\s+utime=([\d.]+)s\s+stime=([\d.]+)s/.exec(stderr);
  if (!m) throw new Error('no "bench: utime=" line in ffmpeg output');
  return Number(m[1]) + Number(m[2]);
}

/** CPU seconds ffmpeg spends per second of audio, from a long and a short run of the same job. */
export async function ffmpegCpuPerAudioSecond(job: FfmpegJob, longFile: string, longSec: number, shortFile: string, shortSec: number): Promise<number> {
  const t = async (file: string): Promise<number> => parseBenchCpuSec(await run([...job.inputArgs(file), ...job.outputArgs], 60_000));
  const long = await t(longFile);
  const short = await t(shortFile);
  return Math.max(1e-9, long - short) / (longSec - shortSec);
}

/** Writes `pcm` repeated to `seconds` of raw s16le at `rate`. */
export function writeRawLoop(dir: string, name: string, pcm: Int16Array, rate: number, seconds: number): string {
  const total = rate * seconds;
  const out = new Int16Array(total);
  for (let i = 0; i < total; i += pcm.length) out.set(pcm.subarray(0, Math.min(pcm.length, total - i)), i);
  const file = path.join(dir, name);
  writeFileSync(file, Buffer.from(out.buffer));
  return file;
}

/** Encodes a raw file with ffmpeg (not timed) to make decoder input. */
export async function ffmpegEncode(rawArgs: readonly string[], raw: string, outArgs: readonly string[], out: string): Promise<void> {
  await run(['-y', ...rawArgs, '-i', raw, ...outArgs, out], 120_000);
}
