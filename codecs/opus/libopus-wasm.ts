/**
 * libopus 1.3.1 compiled to WebAssembly, as shipped by @evan/opus@1.0.3 (`wasm/opus.wasm`, or `simd.wasm`
 * where the engine has WebAssembly SIMD). We do not use the package's JS classes: its
 * `Decoder.decode()` hardcodes `decode_fec = 0`. The module exports the raw C API instead, typed here
 * as the "wire" between our TypeScript and the C ABI (pointers are byte offsets into `memory`).
 *
 * One instance per process, compiled lazily and synchronously on first use (the media path is
 * synchronous; the module is ~400 KB and compiles in a few ms). Every decoder lives in its memory.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The slice of the WebAssembly JS API we use. tsconfig's lib has no DOM and @types/node does not
 * declare the `WebAssembly` global, so it is typed here rather than widening the project's lib.
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmJsApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, () => unknown>>) => { readonly exports: unknown };
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WasmJsApi }).WebAssembly;

/** The exports we call (opus.h; `opus_decoder_ctl_set/get` are the package's variadic-free shims). */
export interface LibopusExports {
  readonly memory: WasmMemory;
  /** Bytes of an OpusDecoder state for `channels` (opus_decoder_get_size). */
  opus_decoder_get_size(channels: number): number;
  /** Initialises a state in place; 0 (OPUS_OK) or a negative error (opus_decoder_init). */
  opus_decoder_init(st: number, sampleRate: number, channels: number): number;
  /**
   * Decodes into `pcm` (interleaved int16); returns samples per channel or a negative error.
   * `data = 0, len = 0` asks for packet-loss concealment; `decodeFec = 1` decodes the in-band FEC
   * (LBRR) of `data` as the frame BEFORE it, `frameSize` being that lost frame's duration (opus_decode).
   */
  opus_decode(st: number, data: number, len: number, pcm: number, frameSize: number, decodeFec: number): number;
  opus_decoder_ctl_set(st: number, request: number, value: number): number;
  malloc(bytes: number): number;
  free(ptr: number): void;
  _initialize?(): void;
}

/** opus_defines.h error codes we branch on. */
export const OPUS_OK = 0;
export const OPUS_BUFFER_TOO_SMALL = -2;

export interface Libopus {
  readonly api: LibopusExports;
  /** Views of the current memory; refreshed when it grows (growth detaches the old ArrayBuffer). */
  u8(): Uint8Array;
  i16(): Int16Array;
}

/** The same probe @evan/opus uses: a module with one `v128` instruction validates only with SIMD. */
const SIMD_PROBE = Uint8Array.of(0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 9, 1, 7, 0, 65, 0, 253, 15, 26, 11);

let instance: Libopus | undefined;

/** The process-wide libopus; throws only if the package is missing or the module is unusable. */
export function libopus(): Libopus {
  if (instance) return instance;
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve('@evan/opus/wasm/opus.wasm'));
  const file = WebAssembly.validate(SIMD_PROBE) ? 'simd.wasm' : 'opus.wasm';
  const module = new WebAssembly.Module(readFileSync(path.join(dir, file)));
  let u8 = new Uint8Array(0);
  let i16 = new Int16Array(0);
  let api: LibopusExports | undefined;
  const refresh = (): void => {
    if (!api) return;
    u8 = new Uint8Array(api.memory.buffer);
    i16 = new Int16Array(api.memory.buffer);
  };
  // libopus never does I/O here; the WASI imports exist only because the C runtime links them.
  const noop = (): number => 0;
  const inst = new WebAssembly.Instance(module, {
    wasi_snapshot_preview1: { fd_seek: noop, fd_write: noop, fd_close: noop, proc_exit: noop },
    env: { emscripten_notify_memory_growth: refresh },
  });
  api = inst.exports as LibopusExports;
  // A WASI "reactor" runs its C constructors from _initialize, once, before any other export.
  api._initialize?.();
  refresh();
  const current = api;
  instance = {
    api: current,
    u8: () => (u8.buffer === current.memory.buffer ? u8 : (refresh(), u8)),
    i16: () => (i16.buffer === current.memory.buffer ? i16 : (refresh(), i16)),
  };
  return instance;
}
