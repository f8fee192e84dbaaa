import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { ProviderError } from '../../../gateway/errors.ts';
import { metrics } from '../../../gateway/metrics.ts';
import { TtsCache } from './cache.ts';
import { resampleOffline } from './resample-offline.ts';
import type { TtsOptions, TtsProvider, TtsResult } from './types.ts';
import { parseWav } from './wav.ts';

export interface EspeakOptions {
  /** espeak-ng voice, e.g. en-us; `espeak-ng --voices` lists them. */
  readonly voice?: string;
  /** Speaking-rate factor: 1 = espeak's default 175 words per minute. */
  readonly speed?: number;
  /** Where synthesised prompts are kept across restarts; memory only when absent. */
  readonly cacheDir?: string;
  readonly log?: Logger;
  /** The executable; tests point it elsewhere. */
  readonly command?: string;
  readonly timeoutMs?: number;
}

const PROVIDER = 'espeak';
const DEFAULT_WPM = 175;
const VOICE = /^[A-Za-z0-9][A-Za-z0-9+_-]{0,63}$/;
/** ~6 minutes of 22050 Hz PCM16: far beyond any prompt, small enough to bound memory. */
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/**
 * Local text to speech with espeak-ng, for the voice menu: no network, no key. espeak writes a WAV
 * at its native rate (22050 Hz) to stdout; the text goes in on stdin, never as an argument, so no
 * text can be mistaken for an option, and no shell is involved. The PCM is converted to the rate the
 * caller wants once, then cached (memory and disk).
 */
export class EspeakTts implements TtsProvider {
  readonly engine = PROVIDER;
  readonly #voice: string;
  readonly #speed: number;
  readonly #command: string;
  readonly #timeoutMs: number;
  readonly #cache: TtsCache;
  #runs = 0;

  constructor(opts: EspeakOptions = {}) {
    this.#voice = opts.voice ?? 'en-us';
    this.#speed = opts.speed ?? 1;
    this.#command = opts.command ?? 'espeak-ng';
    this.#timeoutMs = opts.timeoutMs ?? 20_000;
    this.#cache = new TtsCache({ ...(opts.cacheDir !== undefined && { dir: opts.cacheDir }), ...(opts.log && { log: opts.log }) });
  }

  /** How many times espeak-ng has been run (cache hits do not run it). */
  get synthesisRuns(): number {
    return this.#runs;
  }

  describe(): string {
    return `espeak-ng(${this.#voice}, x${this.#speed})`;
  }

  async synthesize(text: string, opts: TtsOptions = {}): Promise<TtsResult> {
    const voice = opts.voice ?? this.#voice;
    const speed = opts.speed ?? this.#speed;
    if (!VOICE.test(voice)) throw new ProviderError(PROVIDER, `invalid espeak-ng voice name ${JSON.stringify(voice)}`, false);
    if (opts.sampleRate !== undefined && !(Number.isInteger(opts.sampleRate) && opts.sampleRate >= 8000 && opts.sampleRate <= 96000)) {
      throw new ProviderError(PROVIDER, `unsupported sample rate ${opts.sampleRate}`, false);
    }
    opts.signal?.throwIfAborted();
    // Unset rate means "native": key it as 0 so it does not collide with an explicit 22050.
    const key = { engine: 'espeak-ng', text, voice, speed, sampleRate: opts.sampleRate ?? 0 };
    const shared = this.#cache.get(key, () => this.#synthesize(text, voice, speed, opts.sampleRate));
    return opts.signal ? abortable(shared, opts.signal) : shared;
  }

  async #synthesize(text: string, voice: string, speed: number, rate: number | undefined): Promise<TtsResult> {
    const started = performance.now();
    const wpm = Math.round(Math.min(450, Math.max(80, DEFAULT_WPM * speed)));
    const wav = await this.#run(['--stdin', '--stdout', '-v', voice, '-s', String(wpm)], text);
    let parsed;
    try {
      parsed = parseWav(wav);
    } catch (err) {
      throw new ProviderError(PROVIDER, 'espeak-ng wrote audio that is not PCM16 mono WAV', false, { cause: err });
    }
    const sampleRate = rate ?? parsed.sampleRate;
    const pcm = resampleOffline(parsed.pcm, parsed.sampleRate, sampleRate);
    metrics.ttsSynthesisSeconds.observe({ engine: PROVIDER }, (performance.now() - started) / 1000);
    return { pcm, sampleRate };
  }

  #run(args: string[], text: string): Promise<Buffer> {
    this.#runs++;
    return new Promise((resolve, reject) => {
      const child = execFile(
        this.#command,
        args,
        { encoding: 'buffer', maxBuffer: MAX_OUTPUT_BYTES, timeout: this.#timeoutMs, killSignal: 'SIGKILL', windowsHide: true },
        (err, stdout, stderr) => {
          if (!err) return resolve(stdout);
          const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: string | number };
          if (e.code === 'ENOENT') {
            return reject(new ProviderError(PROVIDER, `${this.#command} not found: install the Debian package espeak-ng (apt-get install espeak-ng)`, false, { cause: err }));
          }
          if (e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return reject(new ProviderError(PROVIDER, 'espeak-ng output exceeded the size bound; shorten the prompt', false, { cause: err }));
          if (e.killed) return reject(new ProviderError(PROVIDER, `espeak-ng did not finish within ${this.#timeoutMs} ms`, false, { cause: err }));
          const why = stderr.toString('utf8').trim().split('\n')[0] || `exit ${String(e.code)}`;
          reject(new ProviderError(PROVIDER, `espeak-ng failed: ${why}`, false, { cause: err }));
        },
      );
      // The child may exit before reading stdin (bad voice): ignore EPIPE, the exit status tells.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(`${text}\n`);
    });
  }
}

function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
