import { performance } from 'node:perf_hooks';
import type OpenAI from 'openai';
import { metrics } from '../../../gateway/metrics.ts';
import { toProviderError } from '../openai-client.ts';
import { resampleOffline } from './resample-offline.ts';
import type { StreamingTts, TtsChunk } from './streaming.ts';
import type { TtsOptions, TtsProvider, TtsResult } from './types.ts';

/**
 * OpenAI text to speech (POST /audio/speech, `response_format: "pcm"`): the body is raw PCM16
 * little-endian, mono, 24 kHz, streamed as it is generated (chunked transfer). Chunks are passed on
 * as they arrive — a byte split across two chunks is carried over — and the Playout resamples them to
 * the call's rate. `synthesize()` (the TtsProvider interface) collects the whole clip instead.
 */
export const OPENAI_TTS_RATE = 24_000;
const PROVIDER = 'openai-tts';

export interface OpenAiTtsOptions {
  readonly client: OpenAI;
  readonly model: string;
  readonly voice: string;
  readonly speed?: number;
  readonly instructions?: string;
}

export class OpenAiTts implements TtsProvider, StreamingTts {
  readonly engine = 'openai';
  readonly #opts: OpenAiTtsOptions;

  constructor(opts: OpenAiTtsOptions) {
    this.#opts = opts;
  }

  describe(): string {
    return `openai-tts(${this.#opts.model}, ${this.#opts.voice}) → PCM/${OPENAI_TTS_RATE}`;
  }

  async *stream(text: string, opts: { readonly signal: AbortSignal }): AsyncIterable<TtsChunk> {
    const started = performance.now();
    let body: ReadableStream<Uint8Array> | null;
    try {
      const res = await this.#opts.client.audio.speech.create(
        {
          model: this.#opts.model,
          voice: this.#opts.voice as 'alloy',
          input: text,
          response_format: 'pcm',
          ...(this.#opts.speed !== undefined && this.#opts.speed !== 1 ? { speed: this.#opts.speed } : {}),
          ...(this.#opts.instructions ? { instructions: this.#opts.instructions } : {}),
        },
        { signal: opts.signal },
      );
      body = res.body;
    } catch (err) {
      if (opts.signal.aborted) return;
      throw toProviderError(PROVIDER, err);
    }
    if (!body) return;
    const reader = body.getReader();
    let carry: number | undefined;
    try {
      for (let guard = 0; guard < 1_000_000; guard++) {
        const { done, value } = await reader.read();
        if (done) break;
        const bytes = carry === undefined ? value : concat(carry, value);
        carry = bytes.length % 2 === 1 ? bytes[bytes.length - 1] : undefined;
        const n = bytes.length >> 1;
        if (n === 0) continue;
        const pcm = new Int16Array(n);
        const view = new DataView(bytes.buffer, bytes.byteOffset, n * 2);
        for (let i = 0; i < n; i++) pcm[i] = view.getInt16(i * 2, true);
        yield { pcm, sampleRate: OPENAI_TTS_RATE };
      }
      // Chunk boundaries may split a sample (carried above); a byte left at the end is odd-length PCM.
      if (carry !== undefined) metrics.codecErrors.inc({ codec: 'L16', problem: 'odd-length' });
    } catch (err) {
      if (opts.signal.aborted) return;
      throw toProviderError(PROVIDER, err);
    } finally {
      reader.releaseLock();
      metrics.cascadeProviderSeconds.observe({ provider: 'tts' }, (performance.now() - started) / 1000);
    }
  }

  async synthesize(text: string, opts: TtsOptions = {}): Promise<TtsResult> {
    const parts: Int16Array[] = [];
    for await (const c of this.stream(text, { signal: opts.signal ?? new AbortController().signal })) parts.push(c.pcm);
    const all = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
    let off = 0;
    for (const p of parts) {
      all.set(p, off);
      off += p.length;
    }
    const rate = opts.sampleRate ?? OPENAI_TTS_RATE;
    return { pcm: rate === OPENAI_TTS_RATE ? all : resampleOffline(all, OPENAI_TTS_RATE, rate), sampleRate: rate };
  }
}

function concat(first: number, rest: Uint8Array): Uint8Array {
  const out = new Uint8Array(rest.length + 1);
  out[0] = first;
  out.set(rest, 1);
  return out;
}
