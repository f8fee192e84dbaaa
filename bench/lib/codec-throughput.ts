import { existsSync } from 'node:fs';
import { createDecoder, createEncoder, createResampler } from '../../codecs/index.ts';
import type { CodecInfo } from '../../codecs/types.ts';
import { G711A_PCAP, g711aSpeech } from './codec-pcap.ts';

/**
 * Throughput of one codec or resampler in "× real time" (seconds of audio per CPU second of this
 * process), for bench/codecs.ts. Every pass runs over the whole input in 20 ms frames, as the media
 * path calls the codec; the input and output views are made before the clock starts, so a pass
 * measures the codec and not the harness. One unmeasured pass first lets the JIT compile the code.
 */

export interface CodecRuns {
  readonly enc: number[];
  readonly dec: number[];
  /** Calls one core could carry on codec work alone: audio seconds ÷ (encode + decode CPU seconds). */
  readonly calls: number[];
}

function cpuSeconds(fn: () => void): number {
  const t0 = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t0);
  return Math.max(1e-6, (d.user + d.system) / 1e6);
}

/** Deterministic speech-like signal (gliding harmonics under a syllable envelope, plus noise). */
export function syntheticSpeech(rate: number, seconds: number): Int16Array {
  const out = new Int16Array(Math.round(rate * seconds));
  let seed = 7;
  for (let i = 0; i < out.length; i++) {
    const t = i / rate;
    const f0 = 110 + 40 * Math.sin(2 * Math.PI * 0.7 * t);
    let v = 0;
    for (let h = 1; h <= 8 && f0 * h < rate / 2; h++) v += Math.sin(2 * Math.PI * f0 * h * t) / h;
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    out[i] = Math.round(6000 * (0.5 + 0.5 * Math.sin(2 * Math.PI * 4 * t)) * v + 300 * (seed / 0x7fffffff - 0.5));
  }
  return out;
}

const cache = new Map<number, Int16Array>();

/** Real speech (SIPp's g711a.pcap, 8 kHz, resampled by codecs/resample) when installed, else synthetic. */
export function speechAt(rate: number): Int16Array {
  let pcm = cache.get(rate);
  if (pcm) return pcm;
  if (!existsSync(G711A_PCAP)) pcm = syntheticSpeech(rate, 7);
  else {
    const s8 = g711aSpeech();
    const rs = createResampler(8000, rate);
    const out = new Int16Array(rs.outputLength(s8.length) + 64);
    pcm = out.subarray(0, rs.process(s8, out));
  }
  cache.set(rate, pcm);
  return pcm;
}

export function speechSource(): string {
  return existsSync(G711A_PCAP) ? `the speech of ${G711A_PCAP} (SIPp), resampled to each codec's rate and repeated` : 'a synthetic speech-like signal (SIPp\'s g711a.pcap is not installed)';
}

/** `pcm` repeated to `length` samples. */
export function loopTo(pcm: Int16Array, length: number): Int16Array {
  const out = new Int16Array(length);
  for (let i = 0; i < length; i += pcm.length) out.set(pcm.subarray(0, Math.min(pcm.length, length - i)), i);
  return out;
}

/** `runs` timed passes of encode, then decode, of `pcm` in 20 ms frames (after one warm-up pass). */
export function codecRuns(info: CodecInfo, pcm: Int16Array, runs: number): CodecRuns {
  const spf = info.sampleRate / 50;
  const frames = Math.floor(pcm.length / spf);
  const audioSec = (frames * spf) / info.sampleRate;
  const slot = info.bytesPer20ms ?? 1500;
  const bytes = new Uint8Array(frames * slot);
  const inputs = Array.from({ length: frames }, (_, k) => pcm.subarray(k * spf, (k + 1) * spf));
  const outputs = Array.from({ length: frames }, (_, k) => bytes.subarray(k * slot, (k + 1) * slot));
  const sizes = new Int32Array(frames);
  const pcmOut = new Int16Array(spf * 6);
  const encodePass = (): void => {
    const e = createEncoder(info);
    for (let k = 0; k < frames; k++) sizes[k] = e.encodeInto(inputs[k]!, outputs[k]!);
  };
  encodePass();
  const packets = outputs.map((o, k) => o.subarray(0, sizes[k]!));
  const decodePass = (): void => {
    const d = createDecoder(info);
    for (let k = 0; k < frames; k++) d.decodeInto(packets[k]!, pcmOut);
  };
  decodePass();
  const out: CodecRuns = { enc: [], dec: [], calls: [] };
  for (let r = 0; r < runs; r++) {
    const e = cpuSeconds(encodePass);
    const d = cpuSeconds(decodePass);
    out.enc.push(audioSec / e);
    out.dec.push(audioSec / d);
    out.calls.push(audioSec / (e + d));
  }
  return out;
}

/** `runs` timed passes of a fresh resampler over `pcm` in 20 ms frames (after one warm-up pass). */
export function resamplerRun(from: number, to: number, pcm: Int16Array, runs: number): { xRealtime: number[] } {
  const spf = from / 50;
  const frames = Math.floor(pcm.length / spf);
  const inputs = Array.from({ length: frames }, (_, k) => pcm.subarray(k * spf, (k + 1) * spf));
  const out = new Int16Array(createResampler(from, to).outputLength(spf) + 16);
  const pass = (): void => {
    const r = createResampler(from, to);
    for (let k = 0; k < frames; k++) r.process(inputs[k]!, out);
  };
  pass();
  const xRealtime: number[] = [];
  for (let r = 0; r < runs; r++) xRealtime.push((frames / 50) / cpuSeconds(pass));
  return { xRealtime };
}
