import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join, resolve, sep } from 'node:path';
import type { Logger } from 'pino';
import type { TtsResult } from './types.ts';

/** What makes two syntheses identical. Bump FORMAT when the audio a given key produces changes. */
export interface TtsCacheKey {
  readonly engine: string;
  readonly text: string;
  readonly voice: string;
  readonly speed: number;
  readonly sampleRate: number;
}
const FORMAT = 'v1';

export interface TtsCacheOptions {
  /** Directory for raw PCM files (s16le mono, one per key); memory only when absent. */
  readonly dir?: string;
  /** Bound on results held in memory (design §4.5); the oldest is forgotten first. */
  readonly maxEntries?: number;
  readonly log?: Logger;
}

/**
 * Prompts are synthesised once: in memory, then on disk across restarts. Concurrent requests for
 * the same key share one synthesis (the in-flight promise is the cache entry). Disk trouble only
 * costs a re-synthesis: it is logged, never thrown.
 */
export class TtsCache {
  readonly #dir: string | undefined;
  readonly #max: number;
  readonly #log: Logger | undefined;
  readonly #entries = new Map<string, Promise<TtsResult>>();

  constructor(opts: TtsCacheOptions = {}) {
    this.#dir = opts.dir;
    this.#max = opts.maxEntries ?? 1024;
    this.#log = opts.log;
  }

  static hash(key: TtsCacheKey): string {
    return createHash('sha256').update(JSON.stringify([FORMAT, key.engine, key.text, key.voice, key.speed, key.sampleRate])).digest('hex');
  }

  get(key: TtsCacheKey, produce: () => Promise<TtsResult>): Promise<TtsResult> {
    const h = TtsCache.hash(key);
    const hit = this.#entries.get(h);
    if (hit) {
      // Refresh recency: Map iteration order is insertion order.
      this.#entries.delete(h);
      this.#entries.set(h, hit);
      return hit;
    }
    const p = this.#load(h, key.sampleRate, produce);
    this.#entries.set(h, p);
    p.catch(() => this.#entries.get(h) === p && this.#entries.delete(h));
    while (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
    return p;
  }

  async #load(h: string, sampleRate: number, produce: () => Promise<TtsResult>): Promise<TtsResult> {
    const file = this.#dir ? join(this.#dir, `${h}.pcm`) : undefined;
    if (file) {
      const pcm = await readPcm(file);
      if (pcm) return { pcm, sampleRate };
    }
    const result = await produce();
    if (file && this.#dir) await this.#store(this.#dir, file, result.pcm);
    return result;
  }

  async #store(dir: string, file: string, pcm: Int16Array): Promise<void> {
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await ensureDir(dir);
      const bytes = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
      // Write then rename: a reader never sees half a file (rename is atomic on POSIX).
      await writeFile(tmp, endianness() === 'LE' ? bytes : Buffer.from(bytes).swap16());
      await rename(tmp, file);
    } catch (err) {
      this.#log?.warn({ err, dir }, 'tts cache write failed');
      await unlink(tmp).catch(() => undefined);
    }
  }
}

/**
 * mkdir -p, one component at a time. Node 20's `mkdir(..., { recursive: true })` spins forever when a
 * component of the path is a regular file (ENOTDIR), so it is not used here.
 */
async function ensureDir(dir: string): Promise<void> {
  const parts = resolve(dir).split(sep).filter(Boolean);
  let path: string = sep;
  for (const part of parts) {
    path = join(path, part);
    try {
      await mkdir(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (!(await stat(path)).isDirectory()) throw Object.assign(new Error(`not a directory: ${path}`), { code: 'ENOTDIR' });
    }
  }
}

async function readPcm(file: string): Promise<Int16Array | undefined> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch {
    return undefined;
  }
  if (buf.length % 2 !== 0) return undefined; // torn or foreign file: synthesise again
  if (endianness() === 'BE') buf.swap16();
  // Copy into an aligned buffer: a Buffer's byteOffset need not be even.
  const pcm = new Int16Array(buf.length / 2);
  new Uint8Array(pcm.buffer).set(buf);
  return pcm;
}
