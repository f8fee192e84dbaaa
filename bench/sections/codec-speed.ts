import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { codecInfo, createDecoder, createEncoder, createResampler, implementedCodecs } from '../../codecs/index.ts';
import type { CodecName } from '../../codecs/types.ts';
import { g711aSpeech } from '../lib/codec-pcap.ts';
import { plcCostPerLostFrameUs } from '../lib/plc-cost.ts';
import { ffmpegCpuPerAudioSecond, ffmpegEncode, writeRawLoop } from '../lib/ffmpeg-speed.ts';
import { asCodecBenchResult } from '../lib/codec-bench-figures.ts';
import { adaptResult, BENCH_DIR } from '../lib/plugged.ts';
import { summarize } from '../lib/stats.ts';
import type { Chart, Figure, Section, SectionResult } from '../types.ts';

/**
 * Codec speed in "× real time" (audio seconds per CPU second) for every codec the build implements,
 * encode and decode of 20 ms frames of real speech (SIPp's g711a.pcap, resampled to the codec's
 * rate), with ffmpeg doing the same job beside it. When the codec issue's bench/codecs.ts exports
 * `runCodecBench()`, its figures are added here.
 */

const FFMPEG: Partial<Record<CodecName, { enc: string[]; fmt: string[]; ext: string }>> = {
  PCMA: { enc: ['-c:a', 'pcm_alaw', '-f', 'alaw'], fmt: ['-f', 'alaw'], ext: 'alaw' },
  PCMU: { enc: ['-c:a', 'pcm_mulaw', '-f', 'mulaw'], fmt: ['-f', 'mulaw'], ext: 'ulaw' },
  G722: { enc: ['-c:a', 'g722', '-f', 'g722'], fmt: ['-f', 'g722'], ext: 'g722' },
  opus: { enc: ['-c:a', 'libopus', '-application', 'voip', '-b:a', '24k', '-frame_duration', '20', '-f', 'ogg'], fmt: [], ext: 'ogg' },
};

function resampleAll(pcm: Int16Array, to: number): Int16Array {
  if (to === 8000) return pcm;
  const rs = createResampler(8000, to);
  const out = new Int16Array(rs.outputLength(pcm.length) + 64);
  const n = rs.process(pcm, out);
  return out.subarray(0, n);
}

/** × real time of `work(frameIndex)` over 20 ms frames, one run of at least `minMs`. */
function timeRun(frames: number, work: (i: number) => void, minMs: number): number {
  let done = 0;
  const t0 = performance.now();
  // Bounded: at most 2,000,000 frames (40,000 s of audio) per run.
  while (performance.now() - t0 < minMs && done < 2_000_000) {
    for (let i = 0; i < 500; i++) work((done + i) % frames);
    done += 500;
  }
  const sec = (performance.now() - t0) / 1000;
  return (done * 0.02) / sec;
}

async function ours(name: CodecName, speech: Int16Array, runs: number): Promise<{ enc: number[]; dec: number[] }> {
  const info = codecInfo(name);
  const pcm = resampleAll(speech, info.sampleRate);
  const spf = info.sampleRate / 50;
  const frames = Math.floor(pcm.length / spf);
  const enc = createEncoder(info);
  const encoded: Uint8Array[] = [];
  const out = new Uint8Array(1500);
  for (let i = 0; i < frames; i++) encoded.push(out.slice(0, enc.encodeInto(pcm.subarray(i * spf, (i + 1) * spf), out)));
  const dec = createDecoder(info);
  const pcmOut = new Int16Array(spf * 6);
  const e: number[] = [];
  const d: number[] = [];
  for (let r = 0; r < runs; r++) {
    e.push(timeRun(frames, (i) => enc.encodeInto(pcm.subarray(i * spf, (i + 1) * spf), out), 300));
    d.push(timeRun(frames, (i) => dec.decodeInto(encoded[i] as Uint8Array, pcmOut), 300));
  }
  return { enc: e, dec: d };
}

async function peer(name: CodecName, speech: Int16Array, dir: string, runs: number): Promise<{ enc: number[]; dec: number[] } | string> {
  const f = FFMPEG[name];
  if (!f) return 'no ffmpeg equivalent';
  const rate = name === 'opus' ? 48000 : codecInfo(name).sampleRate;
  const pcm = resampleAll(speech, rate);
  const longSec = rate >= 48000 ? 300 : 1200;
  const shortSec = 5;
  const rawArgs = ['-f', 's16le', '-ar', String(rate), '-ac', '1'];
  const longRaw = writeRawLoop(dir, `${name}-long.raw`, pcm, rate, longSec);
  const shortRaw = writeRawLoop(dir, `${name}-short.raw`, pcm, rate, shortSec);
  const longEnc = path.join(dir, `${name}-long.${f.ext}`);
  const shortEnc = path.join(dir, `${name}-short.${f.ext}`);
  await ffmpegEncode(rawArgs, longRaw, f.enc, longEnc);
  await ffmpegEncode(rawArgs, shortRaw, f.enc, shortEnc);
  const inArgs = name === 'G722' ? [...f.fmt] : name === 'opus' ? [] : [...f.fmt, '-ar', '8000'];
  const enc: number[] = [];
  const dec: number[] = [];
  for (let r = 0; r < runs; r++) {
    const ce = await ffmpegCpuPerAudioSecond({ inputArgs: (file) => [...rawArgs, '-i', file], outputArgs: [...f.enc, '-y', '/dev/null'] }, longRaw, longSec, shortRaw, shortSec);
    const cd = await ffmpegCpuPerAudioSecond({ inputArgs: (file) => [...inArgs, '-i', file], outputArgs: ['-f', 'null', '-'] }, longEnc, longSec, shortEnc, shortSec);
    enc.push(1 / ce);
    dec.push(1 / cd);
  }
  return { enc, dec };
}

function fig(key: string, label: string, runs: number[], peerRuns: number[] | undefined): Figure {
  const s = summarize(runs);
  const p = peerRuns ? summarize(peerRuns).median : null;
  return { key, label, unit: '× real time', better: 'higher', ...s, ...(p !== null ? { peer: { name: 'ffmpeg 5.1', value: p, unit: '× real time', kind: 'measured' as const } } : {}) };
}

export const codecSpeed: Section = {
  id: 'codec-speed',
  title: 'Codec speed',
  budgetMs: 2 * 60_000,
  async run(ctx) {
    const runs = ctx.quick ? 3 : 5;
    const speech = g711aSpeech();
    const dir = mkdtempSync(path.join(tmpdir(), 'trunkline-bench-codec-'));
    const figures: Figure[] = [];
    const bars: { label: string; value: number; peer?: boolean }[] = [];
    const notes: string[] = [
      'Ours: 20 ms frames through codecs/ (createEncoder/createDecoder) in this Node process, ≥300 ms per run. ffmpeg: CPU time of `ffmpeg -benchmark` for a long minus a short file of the same speech, so start-up cancels (it includes file reading and muxing, which favours us slightly).',
    ];
    try {
      for (const name of implementedCodecs()) {
        if (Date.now() > ctx.deadline - 20_000) break;
        const o = await ours(name, speech, runs);
        const p = await peer(name, speech, dir, Math.min(runs, 3)).catch((e: Error) => e.message);
        if (typeof p === 'string') notes.push(`${name}: ffmpeg peer not measured (${p})`);
        const pr = typeof p === 'string' ? undefined : p;
        figures.push(fig(`codec-speed.${name}.encode`, `${name} encode`, o.enc, pr?.enc));
        figures.push(fig(`codec-speed.${name}.decode`, `${name} decode`, o.dec, pr?.dec));
        ctx.log(`  ${name}: encode ${Math.round(summarize(o.enc).median ?? 0)}×, decode ${Math.round(summarize(o.dec).median ?? 0)}× real time; ffmpeg ${pr ? `${Math.round(summarize(pr.enc).median ?? 0)}× / ${Math.round(summarize(pr.dec).median ?? 0)}×` : 'n/a'}`);
        bars.push({ label: `${name} encode (ours)`, value: summarize(o.enc).median ?? 0 });
        if (pr) bars.push({ label: `${name} encode (ffmpeg)`, value: summarize(pr.enc).median ?? 0, peer: true });
        bars.push({ label: `${name} decode (ours)`, value: summarize(o.dec).median ?? 0 });
        if (pr) bars.push({ label: `${name} decode (ffmpeg)`, value: summarize(pr.dec).median ?? 0, peer: true });
      }
      // Loss concealment (G.711 Appendix I, codecs/plc): what one lost 20 ms frame costs.
      for (const rate of [8000, 16000]) {
        const us = plcCostPerLostFrameUs(resampleAll(speech, rate), rate, runs);
        figures.push({ key: `codec-speed.plc.${rate}.lost-frame`, label: `G.711 Appendix I PLC at ${rate / 1000} kHz: CPU per lost 20 ms frame`, unit: 'µs', better: 'lower', ...summarize(us) });
        ctx.log(`  PLC ${rate} Hz: ${(summarize(us).median ?? 0).toFixed(1)} µs per lost frame`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // The codec issue's own benchmark, when it exists.
    const plugged = path.join(BENCH_DIR, 'codecs.ts');
    let extra: SectionResult | undefined;
    if (existsSync(plugged)) {
      try {
        const mod = (await import(pathToFileURL(plugged).href)) as { runCodecBench?: (c: typeof ctx) => Promise<unknown> };
        if (typeof mod.runCodecBench === 'function') {
          extra = adaptResult('codec-speed', 'Codec speed', asCodecBenchResult(await mod.runCodecBench(ctx)));
          notes.push(`bench/codecs.ts runCodecBench() ran${extra.figures.length ? '' : ' (its output is not in the Figure format of bench/types.ts yet: kept as detail below)'}.`);
        }
      } catch (err) {
        notes.push(`bench/codecs.ts runCodecBench() failed: ${(err as Error).message.split('\n')[0]}`);
      }
    } else {
      notes.push('bench/codecs.ts (the codec issue\'s benchmark) is not yet available.');
    }
    const charts: Chart[] = bars.length ? [{ kind: 'bar', id: 'speed', title: 'Codec speed (× real time, higher is faster)', unit: '×', bars }] : [];
    return {
      id: 'codec-speed',
      title: 'Codec speed',
      status: figures.length ? 'ok' : 'failed',
      figures: [...figures, ...(extra?.figures ?? [])],
      charts: [...charts, ...(extra?.charts ?? [])],
      notes: [...notes, ...(extra?.notes ?? [])],
      ...(extra?.detail !== undefined ? { detail: extra.detail } : {}),
    };
  },
};
