import { codecInfo, createDecoder, createEncoder } from '../../../codecs/index.ts';
import type { Decoder, Encoder } from '../../../codecs/types.ts';
import { metrics } from '../../../gateway/metrics.ts';
import type { S2sAudioFormat } from './types.ts';

/**
 * PCM16 ⇄ the base64 audio of a Realtime event. PCM16 is little-endian on the wire (realtime.d.ts:
 * "16-bit PCM … little-endian"); G.711 formats go through the codec layer, one byte per sample.
 * Stateful: a delta with an odd byte count keeps its last byte for the next one.
 */
export class AudioWire {
  readonly #format: S2sAudioFormat;
  readonly #encoder: Encoder | undefined;
  readonly #decoder: Decoder | undefined;
  #carry: number | undefined;

  constructor(format: S2sAudioFormat) {
    this.#format = format;
    if (format !== 'pcm16') {
      const info = codecInfo(format === 'pcmu' ? 'PCMU' : 'PCMA');
      this.#encoder = createEncoder(info);
      this.#decoder = createDecoder(info);
    }
  }

  encode(pcm: Int16Array): string {
    if (this.#encoder) {
      const out = new Uint8Array(pcm.length);
      const n = this.#encoder.encodeInto(pcm, out);
      return Buffer.from(out.buffer, out.byteOffset, n).toString('base64');
    }
    return Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength).toString('base64');
  }

  decode(b64: string): Int16Array {
    const bytes = Buffer.from(b64, 'base64');
    if (this.#decoder) {
      const out = new Int16Array(bytes.length);
      return out.subarray(0, this.#decoder.decodeInto(bytes, out));
    }
    // A delta should hold whole samples; an odd one is counted, its last byte waits for the next delta.
    if (bytes.length % 2 === 1) metrics.codecErrors.inc({ codec: 'L16', problem: 'odd-length' });
    const head = this.#carry === undefined ? 0 : 1;
    const total = bytes.length + head;
    const pcm = new Int16Array(total >> 1);
    const view = new Uint8Array(pcm.buffer);
    if (head) view[0] = this.#carry!;
    view.set(bytes.subarray(0, pcm.byteLength - head), head);
    this.#carry = total % 2 === 1 ? bytes[bytes.length - 1] : undefined;
    return pcm;
  }

  get format(): S2sAudioFormat {
    return this.#format;
  }
}
