/**
 * What an Opus packet carries, read from its bytes without decoding (pure). We need it to know whether
 * a packet holds in-band FEC for the frame before it: libopus 1.3 has no `opus_packet_has_lbrr` (it
 * arrived in 1.5), so this mirrors that function.
 *
 * TOC byte (RFC 6716 §3.1):
 *
 *    0 1 2 3 4 5 6 7
 *   +-+-+-+-+-+-+-+-+
 *   | config  |s| c |   config 0–11 SILK-only, 12–15 hybrid, 16–31 CELT-only (§3.1 Table 2)
 *   +-+-+-+-+-+-+-+-+   s = stereo, c = frame count code (0: one, 1: two equal, 2: two sized, 3: M)
 *
 * The first SILK bits of a frame (§4.2.3) are one VAD flag per 20 ms SILK frame, then the LBRR flag,
 * per channel (mid first). The range coder reads those first binary symbols of probability 1/2 as
 * the plain top bits of the frame's first byte, which is why libopus can test them with a shift.
 */

export type OpusMode = 'silk' | 'hybrid' | 'celt';

export interface OpusPacketInfo {
  readonly mode: OpusMode;
  readonly stereo: boolean;
  /** Samples of one frame at 48 kHz (120 for 2.5 ms … 2880 for 60 ms). */
  readonly samplesPerFrame48k: number;
  /** Frames in the packet (1–48). */
  readonly frames: number;
  /** Byte offset and length of the first frame's data. */
  readonly firstOffset: number;
  readonly firstLength: number;
}

const SILK_MS = [10, 20, 40, 60] as const;
const CELT_MS = [2.5, 5, 10, 20] as const;
/** RFC 6716 §3.4 R5: at most 120 ms of audio per packet. */
const MAX_SAMPLES_48K = 5760;

/** The packet's layout, or undefined when it breaks RFC 6716 §3.4's rules (libopus would reject it). */
export function opusPacketInfo(p: Uint8Array): OpusPacketInfo | undefined {
  const toc = p[0];
  if (toc === undefined) return undefined;
  const config = toc >> 3;
  const mode: OpusMode = config < 12 ? 'silk' : config < 16 ? 'hybrid' : 'celt';
  const ms = mode === 'silk' ? SILK_MS[config & 3]! : mode === 'hybrid' ? (config & 1 ? 20 : 10) : CELT_MS[config & 3]!;
  const spf = ms * 48;
  const base = { mode, stereo: (toc & 4) !== 0, samplesPerFrame48k: spf };
  const code = toc & 3;
  if (code === 0) return { ...base, frames: 1, firstOffset: 1, firstLength: p.length - 1 };
  if (code === 1) return (p.length - 1) % 2 === 0 ? { ...base, frames: 2, firstOffset: 1, firstLength: (p.length - 1) / 2 } : undefined;
  if (code === 2) {
    const size = frameLength(p, 1);
    if (!size || 1 + size.bytes + size.length > p.length) return undefined;
    return { ...base, frames: 2, firstOffset: 1 + size.bytes, firstLength: size.length };
  }
  // Code 3 (§3.2.5): a frame-count byte |v|p|M|, optional padding lengths, then M−1 sizes if VBR.
  const count = p[1];
  if (count === undefined) return undefined;
  const frames = count & 0x3f;
  if (frames === 0 || frames * spf > MAX_SAMPLES_48K) return undefined;
  let at = 2;
  let padding = 0;
  if (count & 0x40) {
    // Each 255 means 254 bytes of padding and another length byte follows (bounded by the packet).
    for (;;) {
      const b = p[at++];
      if (b === undefined) return undefined;
      padding += b === 255 ? 254 : b;
      if (b !== 255) break;
    }
  }
  let data = p.length - at - padding;
  let first: number;
  if (count & 0x80) {
    const sizes: number[] = [];
    for (let k = 0; k < frames - 1; k++) {
      const size = frameLength(p, at);
      if (!size) return undefined;
      at += size.bytes;
      data -= size.bytes + size.length;
      sizes.push(size.length);
    }
    first = frames === 1 ? data : sizes[0]!;
    if (data < 0) return undefined;
  } else {
    if (data < 0 || data % frames !== 0) return undefined;
    first = data / frames;
  }
  return { ...base, frames, firstOffset: at, firstLength: first };
}

/** A frame length of one byte (0–251) or two (252–255, then ×4), §3.2.1. */
function frameLength(p: Uint8Array, at: number): { bytes: number; length: number } | undefined {
  const b0 = p[at];
  if (b0 === undefined) return undefined;
  if (b0 < 252) return { bytes: 1, length: b0 };
  const b1 = p[at + 1];
  return b1 === undefined ? undefined : { bytes: 2, length: b0 + 4 * b1 };
}

/** Whether the packet carries LBRR (in-band FEC) data for the frame before it (libopus 1.5 opus_packet_has_lbrr). */
export function opusHasLbrr(p: Uint8Array): boolean {
  const info = opusPacketInfo(p);
  if (!info || info.mode === 'celt' || info.firstLength <= 0) return false;
  const b = p[info.firstOffset]!;
  // SILK frames per Opus frame: one for 10/20 ms, two for 40 ms, three for 60 ms.
  const silkFrames = Math.max(1, info.samplesPerFrame48k / 960);
  const mid = (b >> (7 - silkFrames)) & 1;
  const side = info.stereo ? (b >> (6 - 2 * silkFrames)) & 1 : 0;
  return (mid | side) === 1;
}
