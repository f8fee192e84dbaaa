/**
 * Minimal RIFF/WAVE reader for PCM16 mono, as `espeak-ng --stdout` writes it.
 *
 *   offset  size  field
 *   0       4     "RIFF"
 *   4       4     RIFF size (espeak writes 0x7ffff… when streaming to a pipe: not to be trusted)
 *   8       4     "WAVE"
 *   12      …     chunks: id (4 bytes), size (u32 LE), body, padded to an even length
 *                 "fmt " → format tag u16 (1 = PCM), channels u16, rate u32, byte rate u32,
 *                          block align u16, bits per sample u16
 *                 "data" → samples, little-endian
 *
 * A streamed WAV cannot know its length up front, so the `data` size is often bogus; the samples are
 * whatever follows the `data` header up to the end of the buffer (or the stated size, if smaller).
 */
export interface WavPcm {
  readonly sampleRate: number;
  readonly pcm: Int16Array;
}

export class WavFormatError extends Error {
  override readonly name = 'WavFormatError';
}

export function parseWav(buf: Uint8Array): WavPcm {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const tag = (at: number): string => String.fromCharCode(buf[at]!, buf[at + 1]!, buf[at + 2]!, buf[at + 3]!);
  if (buf.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new WavFormatError('not a RIFF/WAVE stream');
  let at = 12;
  let sampleRate = 0;
  // Bounded walk: each step advances by at least the 8-byte chunk header.
  while (at + 8 <= buf.length) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (body + 16 > buf.length) throw new WavFormatError('truncated fmt chunk');
      const format = view.getUint16(body, true);
      const channels = view.getUint16(body + 2, true);
      const bits = view.getUint16(body + 14, true);
      if (format !== 1 || channels !== 1 || bits !== 16) throw new WavFormatError(`unsupported WAV format ${format}, ${channels} channels, ${bits} bits (want PCM16 mono)`);
      sampleRate = view.getUint32(body + 4, true);
    } else if (id === 'data') {
      if (!sampleRate) throw new WavFormatError('data chunk before fmt chunk');
      const available = buf.length - body;
      // 0 and oversize both mean "streamed, length unknown": take everything that follows.
      const stated = size === 0 ? available : Math.min(size, available);
      const bytes = stated - (stated % 2);
      const pcm = new Int16Array(bytes / 2);
      for (let i = 0; i < pcm.length; i++) pcm[i] = view.getInt16(body + i * 2, true);
      return { sampleRate, pcm };
    }
    at = body + size + (size & 1);
  }
  throw new WavFormatError('no data chunk');
}
