/**
 * Codec benchmark (issue 3): throughput of each codec (encode and decode) and of the resampler as
 * multiples of real time on one core, the implied calls per core (one call = one encode and one
 * decode of the same duration), and G.722 side by side with ffmpeg's C implementation on the same
 * 10-minute input in the same run, as a ratio. A figure with a peer beside it, never a pass/fail.
 *
 *   node --import tsx bench/codecs.ts          prints the JSON figures
 *   import { runCodecBench } from './codecs.ts' for the `make bench` harness
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { codecInfo, createDecoder, createEncoder, createResampler, negotiateOpus, opusInfo } from '../codecs/index.ts';
import type { CodecInfo } from '../codecs/types.ts';

interface Throughput {
  /** Seconds of audio processed per second of CPU, e.g. 1000 = a thousand times real time. */
  readonly xRealtime: number;
  readonly audioSec: number;
  readonly cpuSec: number;
}

/** Deterministic speech-like test signal: gliding harmonics under a syllable envelope, plus noise. */
function signal(rate: number, seconds: number): Int16Array {
  const out = new Int16Array(Math.round(rate * seconds));
  let seed = 7;
  for (let i = 0; i < out.length; i++) {
    const t = i / rate;
    const f0 = 110 + 40 * Math.sin(2 * Math.PI * 0.7 * t);
    const env = 0.5 + 0.5 * Math.sin(2 * Math.PI * 4 * t);
    let v = 0;
    for (let h = 1; h <= 8; h++) v += Math.sin(2 * Math.PI * f0 * h * t) / h;
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    out[i] = Math.round(6000 * env * v + 300 * (seed / 0x7fffffff - 0.5));
  }
  return out;
}

/** CPU time of `fn` (user + system), best of `runs`. */
function cpuTime(fn: () => void, runs = 3): number {
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = process.cpuUsage();
    fn();
    const d = process.cpuUsage(t0);
    best = Math.min(best, (d.user + d.system) / 1e6);
  }
  return best;
}

function through(audioSec: number, cpuSec: number): Throughput {
  return { xRealtime: Math.round(audioSec / cpuSec), audioSec, cpuSec: Number(cpuSec.toFixed(4)) };
}

/** Encodes then decodes `pcm` in 20 ms frames, timing each direction. */
function codecFigures(info: CodecInfo, pcm: Int16Array, runs: number): { encode: Throughput; decode: Throughput; callsPerCore: number } {
  const frame = info.sampleRate / 50;
  const frames = Math.floor(pcm.length / frame);
  const packets: Uint8Array[] = [];
  const buf = new Uint8Array(1500);
  const enc = cpuTime(() => {
    const e = createEncoder(info);
    packets.length = 0;
    for (let k = 0; k < frames; k++) packets.push(buf.slice(0, e.encodeInto(pcm.subarray(k * frame, (k + 1) * frame), buf)));
  }, runs);
  const out = new Int16Array(frame * 6);
  const dec = cpuTime(() => {
    const d = createDecoder(info);
    for (const p of packets) d.decodeInto(p, out);
  }, runs);
  const sec = (frames * frame) / info.sampleRate;
  return { encode: through(sec, enc), decode: through(sec, dec), callsPerCore: Math.round(sec / (enc + dec)) };
}

function resamplerFigures(from: number, to: number, seconds: number): { throughput: Throughput; delayMs: number } {
  const pcm = signal(from, seconds);
  const frame = from / 50;
  const r0 = createResampler(from, to);
  const out = new Int16Array(r0.outputLength(frame));
  const cpu = cpuTime(() => {
    const r = createResampler(from, to);
    for (let i = 0; i + frame <= pcm.length; i += frame) r.process(pcm.subarray(i, i + frame), out);
  });
  return { throughput: through(seconds, cpu), delayMs: Number(r0.delayMs.toFixed(3)) };
}

/** Wall time of one ffmpeg run, best of `runs` (process start-up included: it is part of its cost here). */
function ffmpegTime(args: string[], runs: number): number {
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const res = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { timeout: 120_000 });
    const dt = (performance.now() - t0) / 1000;
    if (res.status !== 0) throw new Error(`ffmpeg failed: ${res.stderr?.toString() ?? res.error?.message}`);
    best = Math.min(best, dt);
  }
  return best;
}

export async function runCodecBench(opts: { quick?: boolean } = {}): Promise<object> {
  const runs = opts.quick ? 1 : 3;
  const g722Minutes = opts.quick ? 2 : 10;
  const dir = mkdtempSync(path.join(tmpdir(), 'trunkline-bench-codecs-'));
  try {
    // G.722 against ffmpeg on the same input, same run.
    const pcm16 = signal(16000, g722Minutes * 60);
    const raw = path.join(dir, 'in.raw');
    writeFileSync(raw, Buffer.from(pcm16.buffer, pcm16.byteOffset, pcm16.byteLength));
    const g722 = codecFigures(codecInfo('G722'), pcm16, runs);
    const encoded = path.join(dir, 'out.g722');
    const ffEnc = ffmpegTime(['-f', 's16le', '-ar', '16000', '-ac', '1', '-i', raw, '-acodec', 'g722', '-f', 'g722', encoded], runs);
    const ffDec = ffmpegTime(['-f', 'g722', '-i', encoded, '-f', 's16le', path.join(dir, 'dec.raw')], runs);
    const audioSec = g722Minutes * 60;
    const ffmpeg = { encode: through(audioSec, ffEnc), decode: through(audioSec, ffDec) };
    const g722VsFfmpeg = {
      inputMinutes: g722Minutes,
      encodeRatio: Number((g722.encode.xRealtime / ffmpeg.encode.xRealtime).toFixed(2)),
      decodeRatio: Number((g722.decode.xRealtime / ffmpeg.decode.xRealtime).toFixed(2)),
      note: 'ours ÷ ffmpeg (wall time of the ffmpeg process, start-up included); goal ≥ 0.5',
    };

    const short = opts.quick ? 10 : 60;
    const pcm8 = signal(8000, short);
    const opusSec = opts.quick ? 5 : 20;
    const figures = {
      G722: { ...g722, ffmpeg, vsFfmpeg: g722VsFfmpeg },
      PCMU: codecFigures(codecInfo('PCMU'), pcm8, runs),
      PCMA: codecFigures(codecInfo('PCMA'), pcm8, runs),
      'opus@16k c5': codecFigures(opusInfo(111, negotiateOpus(undefined, { sampleRate: 16000, complexity: 5, bitrate: 24000 })), signal(16000, opusSec), runs),
      'opus@16k c10': codecFigures(opusInfo(111, negotiateOpus(undefined, { sampleRate: 16000, complexity: 10, bitrate: 24000 })), signal(16000, opusSec), runs),
      'opus@24k c5': codecFigures(opusInfo(111, negotiateOpus(undefined, { sampleRate: 24000, complexity: 5, bitrate: 32000 })), signal(24000, opusSec), runs),
    };
    const resampler = Object.fromEntries(
      ([[8000, 16000], [16000, 8000], [16000, 24000], [24000, 16000], [48000, 16000], [8000, 48000]] as const).map(([a, b]) => {
        const r = resamplerFigures(a, b, short);
        return [`${a}→${b}`, { ...r, callsPerCore: r.throughput.xRealtime }];
      }),
    );
    return { node: process.version, codecs: figures, resampler, g722VsFfmpeg };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await runCodecBench({ quick: process.env.BENCH_QUICK === '1' });
  console.log(JSON.stringify(result, null, 2));
}
