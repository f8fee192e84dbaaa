/**
 * Codec benchmark (issue 3), plugged into the codec-speed section of `make bench`: throughput of
 * each codec (encode and decode) and of the resampler as multiples of real time on one core, the
 * implied calls per core (one call = one encode and one decode of the same duration), and G.722
 * side by side with ffmpeg's C implementation on the same 10-minute input in the same run, as a
 * ratio (the goal: at least half of ffmpeg's speed). Figures in the shared format
 * (bench/types.ts): median and spread over ≥ 3 runs, ffmpeg as a peer measured in this run.
 *
 * Method, ours: CPU time (process.cpuUsage, user + system) of one pass over the whole input in 20 ms
 * frames, after one unmeasured warm-up pass so the JIT has compiled the codec. ffmpeg: the CPU time
 * `ffmpeg -benchmark` reports for the 10-minute file minus a 5-second one of the same audio, so
 * process start-up cancels (bench/lib/ffmpeg-speed.ts, as the rest of the section). Runs of ours and
 * of ffmpeg alternate, so load from other work on the machine falls on both.
 *
 *   node --import tsx bench/codecs.ts          prints the figures as JSON
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { codecInfo, createResampler, negotiateOpus, opusInfo } from '../codecs/index.ts';
import type { CodecInfo } from '../codecs/types.ts';
import { codecRuns, loopTo, resamplerRun, speechAt, speechSource, type CodecRuns } from './lib/codec-throughput.ts';
import { ffmpegCpuPerAudioSecond, ffmpegEncode, writeRawLoop } from './lib/ffmpeg-speed.ts';
import { summarize } from './lib/stats.ts';
import type { Figure, SectionContext, SectionResult } from './types.ts';

const X_RT = '× real time';
const FFMPEG = 'ffmpeg (libavcodec g722)';

function figure(key: string, label: string, unit: string, runs: number[], extra: Partial<Figure> = {}): Figure {
  return { key, label, unit, better: 'higher', ...summarize(runs), ...extra };
}

function peer(runs: number[], source: string): Figure['peer'] {
  const m = summarize(runs).median;
  return m === null ? undefined : { name: FFMPEG, value: m, unit: X_RT, kind: 'measured', source };
}

const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

export function codecFigures(name: string, r: CodecRuns, ffmpeg?: { enc: number[]; dec: number[] }): Figure[] {
  const k = `codec-speed.codecs.${slug(name)}`;
  const src = 'ffmpeg -benchmark CPU time, 600 s file minus 5 s file, same input, same run';
  return [
    figure(`${k}.encode`, `${name} encode (bench/codecs.ts)`, X_RT, r.enc, ffmpeg ? { peer: peer(ffmpeg.enc, src) } : {}),
    figure(`${k}.decode`, `${name} decode (bench/codecs.ts)`, X_RT, r.dec, ffmpeg ? { peer: peer(ffmpeg.dec, src) } : {}),
    figure(`${k}.calls-per-core`, `${name}: codec-only calls per core (encode + decode)`, 'calls', r.calls),
  ];
}

/** ours ÷ ffmpeg for each run (runs alternate, so each pair saw the same machine load). */
export function ratios(ours: number[], theirs: number[]): number[] {
  return ours.map((v, i) => v / (theirs[i] ?? NaN));
}

async function g722VsFfmpeg(ctx: SectionContext, runs: number, seconds: number, notes: string[]): Promise<Figure[]> {
  const info = codecInfo('G722');
  const speech = speechAt(info.sampleRate);
  const pcm = loopTo(speech, info.sampleRate * seconds);
  const dir = mkdtempSync(path.join(tmpdir(), 'trunkline-bench-g722-'));
  try {
    const raw = ['-f', 's16le', '-ar', '16000', '-ac', '1'];
    const enc = ['-c:a', 'g722', '-f', 'g722'];
    const shortSec = 5;
    const longRaw = writeRawLoop(dir, 'long.raw', speech, 16000, seconds);
    const shortRaw = writeRawLoop(dir, 'short.raw', speech, 16000, shortSec);
    const longG722 = path.join(dir, 'long.g722');
    const shortG722 = path.join(dir, 'short.g722');
    await ffmpegEncode(raw, longRaw, enc, longG722);
    await ffmpegEncode(raw, shortRaw, enc, shortG722);
    const ours: CodecRuns = { enc: [], dec: [], calls: [] };
    const ff = { enc: [] as number[], dec: [] as number[] };
    for (let r = 0; r < runs; r++) {
      if (r > 0 && Date.now() > ctx.deadline - 5_000) {
        notes.push(`G.722 vs ffmpeg: stopped after ${r} runs at the section deadline.`);
        break;
      }
      const o = codecRuns(info, pcm, 1);
      ours.enc.push(...o.enc);
      ours.dec.push(...o.dec);
      ours.calls.push(...o.calls);
      ff.enc.push(1 / (await ffmpegCpuPerAudioSecond({ inputArgs: (f) => [...raw, '-i', f], outputArgs: [...enc, '-y', '/dev/null'] }, longRaw, seconds, shortRaw, shortSec)));
      ff.dec.push(1 / (await ffmpegCpuPerAudioSecond({ inputArgs: (f) => ['-f', 'g722', '-i', f], outputArgs: ['-f', 'null', '-'] }, longG722, seconds, shortG722, shortSec)));
    }
    const encRatio = figure('codec-speed.codecs.g722.encode-vs-ffmpeg', `G.722 encode speed ÷ ffmpeg's (${seconds / 60} min input; goal ≥ 0.5)`, '× ffmpeg', ratios(ours.enc, ff.enc));
    const decRatio = figure('codec-speed.codecs.g722.decode-vs-ffmpeg', `G.722 decode speed ÷ ffmpeg's (${seconds / 60} min input; goal ≥ 0.5)`, '× ffmpeg', ratios(ours.dec, ff.dec));
    ctx.log(`  G.722 ${seconds / 60} min: encode ${Math.round(summarize(ours.enc).median ?? 0)}× vs ffmpeg ${Math.round(summarize(ff.enc).median ?? 0)}× (ratio ${encRatio.median?.toFixed(2)}), decode ${Math.round(summarize(ours.dec).median ?? 0)}× vs ${Math.round(summarize(ff.dec).median ?? 0)}× (ratio ${decRatio.median?.toFixed(2)})`);
    return [...codecFigures('G722', ours, ff), encRatio, decRatio];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The codecs and settings measured besides G.722 (opus at the settings config can choose). */
function otherCodecs(): [string, CodecInfo, number][] {
  const opus = (rate: 16000 | 24000, complexity: number, kbps: number): CodecInfo => opusInfo(111, negotiateOpus(undefined, { sampleRate: rate, complexity, bitrate: kbps * 1000 }));
  return [
    ['PCMU', codecInfo('PCMU'), 60],
    ['PCMA', codecInfo('PCMA'), 60],
    ['opus 16k c5 24kbps', opus(16000, 5, 24), 20],
    ['opus 16k c10 24kbps', opus(16000, 10, 24), 20],
    ['opus 24k c5 32kbps', opus(24000, 5, 32), 20],
  ];
}

const RESAMPLER_PAIRS = [[8000, 16000], [16000, 8000], [16000, 24000], [24000, 16000], [48000, 16000], [8000, 48000]] as const;

export async function runCodecBench(ctx: Partial<SectionContext> = {}): Promise<SectionResult> {
  const c: SectionContext = { deadline: ctx.deadline ?? Date.now() + 120_000, quick: ctx.quick ?? false, log: ctx.log ?? (() => {}) };
  const runs = c.quick ? 3 : 5;
  // The 10-minute input even in quick mode: a pass costs well under a second of CPU.
  const g722Sec = 600;
  const notes: string[] = [
    `bench/codecs.ts: ours is the CPU time of one pass over the input in 20 ms frames after a warm-up pass; ffmpeg is \`ffmpeg -benchmark\` CPU time of a ${g722Sec / 60}-minute file minus a 5-second one (start-up cancels). Input: ${speechSource()}.`,
  ];
  const figures: Figure[] = [];
  try {
    figures.push(...(await g722VsFfmpeg(c, runs, g722Sec, notes)));
  } catch (err) {
    notes.push(`G.722 vs ffmpeg not measured: ${(err as Error).message.split('\n')[0]}`);
  }
  for (const [name, info, seconds] of otherCodecs()) {
    if (Date.now() > c.deadline - 5_000) {
      notes.push(`${name} and later codecs skipped: section deadline.`);
      break;
    }
    figures.push(...codecFigures(name, codecRuns(info, loopTo(speechAt(info.sampleRate), info.sampleRate * seconds), runs)));
  }
  for (const [from, to] of RESAMPLER_PAIRS) {
    if (Date.now() > c.deadline - 2_000) {
      notes.push(`resampler ${from}→${to} and later skipped: section deadline.`);
      break;
    }
    const r = resamplerRun(from, to, loopTo(speechAt(from), from * 60), runs);
    const k = `codec-speed.resampler.${from}-to-${to}`;
    figures.push(figure(k, `resampler ${from}→${to} Hz`, X_RT, r.xRealtime));
    figures.push(figure(`${k}.delay`, `resampler ${from}→${to} Hz added delay`, 'ms', [createResampler(from, to).delayMs], { better: 'lower', note: 'group delay of the filter (a property of the design, not a timing)' }));
  }
  const ok = figures.some((f) => f.key === 'codec-speed.codecs.g722.encode-vs-ffmpeg');
  return { id: 'codec-speed', title: 'Codec speed', status: ok ? 'ok' : 'partial', figures, notes };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await runCodecBench({ quick: process.env.BENCH_QUICK === '1', log: (l) => console.error(l) });
  console.log(JSON.stringify(result, null, 2));
}
