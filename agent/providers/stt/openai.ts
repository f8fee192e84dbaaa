import { performance } from 'node:perf_hooks';
import OpenAI, { toFile } from 'openai';
import { metrics } from '../../../gateway/metrics.ts';
import { toProviderError } from '../openai-client.ts';
import type { SttOpenOptions, SttProvider, SttUtterance } from './types.ts';
import { encodeWav } from './wav-encode.ts';

/**
 * Streaming speech to text over OpenAI's REST transcription endpoint (POST /audio/transcriptions,
 * `stream: true`, answered as server-sent `transcript.text.delta` / `transcript.text.done` events).
 * The REST API takes a whole file, so "audio goes in while the caller speaks" is done by re-sending
 * the utterance so far every `interimEveryMs` of new audio and whenever the caller pauses; the
 * transcript of a pause that turns out to be the end of the turn is the final one (no extra round
 * trip). The persona's vocabulary is the recogniser's `prompt` (lexical biasing: "Sev-1", "Postgres").
 */
export interface OpenAiSttOptions {
  readonly client: OpenAI;
  readonly model: string;
  readonly language?: string;
  readonly vocabulary?: readonly string[];
  readonly interimEveryMs?: number;
  /** Longest utterance kept; audio beyond it is not sent (a caller cannot grow memory without bound). */
  readonly maxUtteranceMs?: number;
}

const PROVIDER = 'openai-stt';

export class OpenAiStt implements SttProvider {
  readonly name = PROVIDER;
  readonly #opts: OpenAiSttOptions;

  constructor(opts: OpenAiSttOptions) {
    this.#opts = opts;
  }

  describe(): string {
    return `openai-stt(${this.#opts.model}${this.#opts.vocabulary?.length ? ', vocabulary' : ''})`;
  }

  open(o: SttOpenOptions): SttUtterance {
    return new OpenAiUtterance(this.#opts, vocabularyPrompt([...(this.#opts.vocabulary ?? []), ...(o.vocabulary ?? [])]), o);
  }

  /** One transcription request over `wav`; resolves with the full text. */
  static async transcribe(opts: OpenAiSttOptions, prompt: string | undefined, wav: Buffer, signal: AbortSignal): Promise<string> {
    const started = performance.now();
    try {
      const stream = await opts.client.audio.transcriptions.create(
        {
          file: await toFile(wav, 'utterance.wav', { type: 'audio/wav' }),
          model: opts.model,
          stream: true,
          response_format: 'json',
          ...(opts.language ? { language: opts.language } : {}),
          ...(prompt ? { prompt } : {}),
        },
        { signal },
      );
      let text = '';
      let done: string | undefined;
      for await (const ev of stream) {
        if (ev.type === 'transcript.text.delta') text += ev.delta;
        else if (ev.type === 'transcript.text.done') done = ev.text;
      }
      metrics.cascadeProviderSeconds.observe({ provider: 'stt' }, (performance.now() - started) / 1000);
      return (done ?? text).trim();
    } catch (err) {
      throw toProviderError(PROVIDER, err);
    }
  }
}

/** The recogniser's prompt: the domain words, deduplicated, in a sentence the model reads as context. */
export function vocabularyPrompt(words: readonly string[]): string | undefined {
  const uniq = [...new Set(words.map((w) => w.trim()).filter(Boolean))];
  return uniq.length > 0 ? `Vocabulary: ${uniq.join(', ')}.` : undefined;
}

class OpenAiUtterance implements SttUtterance {
  readonly #chunks: Int16Array[] = [];
  #samples = 0;
  #sinceRequest = 0;
  readonly #every: number;
  readonly #max: number;
  readonly #abort = new AbortController();
  /** The newest request: how many samples it covers and its transcript. */
  #latest: { samples: number; text: Promise<string> } | undefined;
  #closed = false;

  constructor(
    private readonly opts: OpenAiSttOptions,
    private readonly prompt: string | undefined,
    private readonly o: SttOpenOptions,
  ) {
    this.#every = Math.round(((opts.interimEveryMs ?? 1000) * o.sampleRate) / 1000);
    this.#max = Math.round(((opts.maxUtteranceMs ?? 60_000) * o.sampleRate) / 1000);
  }

  push(pcm: Int16Array): void {
    if (this.#closed || this.#samples >= this.#max) return;
    const take = pcm.subarray(0, this.#max - this.#samples);
    this.#chunks.push(take.slice());
    this.#samples += take.length;
    this.#sinceRequest += take.length;
    if (this.#sinceRequest >= this.#every) this.requestInterim();
  }

  requestInterim(): void {
    if (this.#closed || this.#samples === 0 || this.#latest?.samples === this.#samples) return;
    const req = this.#request();
    req.text.then(
      (text) => {
        if (!this.#closed || this.#latest === req) this.o.onInterim(text);
      },
      (err: unknown) => {
        if (!this.#abort.signal.aborted) this.o.onError?.(err as Error);
      },
    );
  }

  async finish(): Promise<string> {
    if (this.#samples === 0) {
      this.#closed = true;
      return '';
    }
    // The pause's transcript already covers every sample: it is the final one.
    const latest = this.#latest?.samples === this.#samples ? this.#latest : this.#request();
    this.#closed = true;
    try {
      return await latest.text;
    } catch {
      // An interim request that failed is retried once as the final.
      return await this.#request().text;
    }
  }

  abort(): void {
    this.#closed = true;
    this.#abort.abort();
  }

  #request(): { samples: number; text: Promise<string> } {
    this.#sinceRequest = 0;
    const wav = encodeWav(this.#chunks, this.o.sampleRate);
    const req = { samples: this.#samples, text: OpenAiStt.transcribe(this.opts, this.prompt, wav, this.#abort.signal) };
    req.text.catch(() => undefined);
    this.#latest = req;
    return req;
  }
}
