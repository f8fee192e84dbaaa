import type { AudioFrame } from '../../../codecs/types.ts';
import { samplesPer20ms } from '../../../codecs/types.ts';

/**
 * Turns a byte stream of raw L16 (signed 16-bit little-endian, mono, no header) into 20 ms
 * `AudioFrame`s. mod_audio_fork's binary frames follow the caller's packet time and are sometimes
 * coalesced (seen: 320, 480, 640 B at 8 kHz), and nothing stops a frame from ending on an odd byte,
 * so the stream is re-chunked here: an odd trailing byte waits for the next frame, and a partial
 * 20 ms frame waits for the rest. Pure (no I/O); bounded (at most one frame plus one byte kept).
 */
export class L16Chunker {
  readonly sampleRate: number;
  readonly #frame: Int16Array;
  #filled = 0;
  /** A lone low byte waiting for its high byte, or -1. */
  #oddByte = -1;
  #timestamp = 0;

  constructor(sampleRate: number) {
    this.sampleRate = sampleRate;
    this.#frame = new Int16Array(samplesPer20ms(sampleRate));
  }

  /** Samples waiting for the rest of their 20 ms frame (for tests and stats). */
  get pendingSamples(): number {
    return this.#filled;
  }

  get hasOddByte(): boolean {
    return this.#oddByte >= 0;
  }

  /** Feeds bytes; calls `emit` for each complete frame (the frame's buffer is reused after `emit` returns). */
  pushBytes(bytes: Uint8Array, emit: (frame: AudioFrame) => void): void {
    let i = 0;
    if (this.#oddByte >= 0 && bytes.length > 0) {
      this.#pushSample(((bytes[0]! << 8) | this.#oddByte) << 16 >> 16, emit);
      this.#oddByte = -1;
      i = 1;
    }
    const whole = bytes.length - ((bytes.length - i) & 1);
    for (; i < whole; i += 2) this.#pushSample(((bytes[i + 1]! << 8) | bytes[i]!) << 16 >> 16, emit);
    if (i < bytes.length) this.#oddByte = bytes[i]!;
  }

  /** Feeds samples already decoded (e.g. μ-law from Twilio); same re-chunking. */
  pushSamples(samples: Int16Array, emit: (frame: AudioFrame) => void): void {
    let i = 0;
    while (i < samples.length) {
      const n = Math.min(this.#frame.length - this.#filled, samples.length - i);
      this.#frame.set(samples.subarray(i, i + n), this.#filled);
      this.#filled += n;
      i += n;
      if (this.#filled === this.#frame.length) this.#flush(emit);
    }
  }

  #pushSample(s: number, emit: (frame: AudioFrame) => void): void {
    this.#frame[this.#filled++] = s;
    if (this.#filled === this.#frame.length) this.#flush(emit);
  }

  #flush(emit: (frame: AudioFrame) => void): void {
    const frame: AudioFrame = { samples: this.#frame, sampleRate: this.sampleRate, timestamp: this.#timestamp };
    this.#timestamp += this.#frame.length;
    this.#filled = 0;
    emit(frame);
  }
}

/** Encodes PCM16 samples as L16 little-endian bytes (the fork's and FreeSWITCH's byte order). */
export function l16Bytes(samples: Int16Array): Buffer {
  const out = Buffer.allocUnsafe(samples.length * 2);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i]!, i * 2);
  return out;
}
