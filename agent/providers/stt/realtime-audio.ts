import { codecInfo, createEncoder, createResampler } from '../../../codecs/index.ts';
import type { Encoder, Resampler } from '../../../codecs/types.ts';
import type { RealtimeAudioFormats } from './openai-realtime-wire.ts';
import { REALTIME_PCM_RATE } from './openai-realtime-wire.ts';

/** What crosses the wire: G.711 µ-law at 8 kHz (a narrowband call's own codec) or PCM16 at 24 kHz. */
export type RealtimeSttFormat = 'pcmu' | 'pcm16';

/**
 * The wire format for caller audio at `sampleRate`: a narrowband (8 kHz) call goes as `audio/pcmu` —
 * the caller's G.711 re-encoded bit-exactly (G.711 decode→encode is idempotent), 1 byte a sample,
 * one sixth of the bytes of 24 kHz PCM16 and no resampling; anything wider goes as 24 kHz PCM16.
 */
export function formatFor(sampleRate: number, preferred: 'auto' | RealtimeSttFormat = 'auto'): RealtimeSttFormat {
  if (preferred !== 'auto') return preferred;
  return sampleRate === 8000 ? 'pcmu' : 'pcm16';
}

export function wireFormat(f: RealtimeSttFormat): RealtimeAudioFormats {
  return f === 'pcmu' ? { type: 'audio/pcmu' } : { type: 'audio/pcm', rate: REALTIME_PCM_RATE };
}

/** PCM rate of format `f` (ITU-T G.711 is 8 kHz; realtime.d.ts: PCM "Only a 24kHz sample rate"). */
export function formatRate(f: RealtimeSttFormat): number {
  return f === 'pcmu' ? 8000 : REALTIME_PCM_RATE;
}

/** Bytes on the wire per millisecond of audio in format `f`. */
export function bytesPerMs(f: RealtimeSttFormat): number {
  return f === 'pcmu' ? 8 : 48;
}

/**
 * Caller PCM16 at `inputRate` → base64 payloads of `input_audio_buffer.append`. Stateful (the
 * resampler's filter history), so one encoder serves one continuous stretch of audio (an utterance).
 * PCM16 goes little-endian, as the API wants and as this machine's Int16Array already is.
 */
export class RealtimeAudioEncoder {
  readonly format: RealtimeSttFormat;
  readonly #resampler: Resampler | undefined;
  readonly #g711: Encoder | undefined;

  constructor(format: RealtimeSttFormat, inputRate: number) {
    this.format = format;
    const rate = formatRate(format);
    this.#resampler = inputRate === rate ? undefined : createResampler(inputRate, rate);
    this.#g711 = format === 'pcmu' ? createEncoder(codecInfo('PCMU')) : undefined;
  }

  /** Wire bytes (not base64) for `pcm`; empty when the resampler is still filling. */
  encode(pcm: Int16Array): Buffer {
    let x = pcm;
    if (this.#resampler) {
      const out = new Int16Array(this.#resampler.outputLength(pcm.length));
      x = out.subarray(0, this.#resampler.process(pcm, out));
    }
    if (this.#g711) {
      const out = new Uint8Array(x.length);
      const n = this.#g711.encodeInto(x, out);
      return Buffer.from(out.buffer, out.byteOffset, n);
    }
    return Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  }
}
