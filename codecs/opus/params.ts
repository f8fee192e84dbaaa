/**
 * Opus session parameters from SDP (RFC 7587 §6.1, §7) and the internal PCM rate we run at.
 *
 * Opus is always `opus/48000/2` in SDP whatever is really sent (RFC 7587 §7); the fmtp says what the
 * receiver of that SDP wants:
 *   maxplaybackrate       the highest rate the writer's decoder is worth feeding (caps OUR encoder)
 *   sprop-maxcapturerate  the highest rate the writer captures at (what THEIR packets can carry)
 *   stereo / sprop-stereo preferences only: a mono stream is always valid, and a libopus decoder
 *                         opened mono downmixes stereo packets (RFC 7587 §3.4)
 *   useinbandfec          the writer's decoder can use in-band FEC, so the other side should send it
 *
 * The internal rate: libopus encodes and decodes natively at 8/12/16/24/48 kHz, so we run it at the
 * rate the consumer wants (16 or 24 kHz) instead of decoding at 48 kHz and resampling down.
 */

export interface OpusParams {
  /** The PCM rate our encoder and decoder run at. */
  readonly sampleRate: number;
  /** The peer's decoder uses in-band FEC: our encoder adds it (with an expected loss). */
  readonly peerUsesFec: boolean;
  /** The peer's maxplaybackrate (48000 when absent): caps the bandwidth we encode. */
  readonly maxPlaybackRate: number;
  /** The peer's sprop-maxcapturerate (48000 when absent). */
  readonly spropMaxCaptureRate: number;
  /** The peer would like stereo; we send mono, which RFC 7587 §7.1 allows. */
  readonly peerWantsStereo: boolean;
  /** libopus complexity 0–10. */
  readonly complexity: number;
  /** Target bitrate in bit/s. */
  readonly bitrate: number;
}

export interface OpusPreferences {
  /** The consumer's rate: 16000 (wideband) or 24000 (super-wideband). */
  readonly sampleRate: number;
  /**
   * 5 by default: in VoIP mode at 16 kHz complexity 5 costs about half of complexity 10 (154 against
   * 282 µs per 20 ms frame encode + decode, /work/shared/reference) for a small quality loss on speech.
   */
  readonly complexity: number;
  readonly bitrate: number;
}

export const DEFAULT_OPUS_PREFERENCES: OpusPreferences = Object.freeze({ sampleRate: 16000, complexity: 5, bitrate: 24000 });

/** Rates both libopus and our resampler handle (opus's 12 kHz is rounded up to 16 kHz). */
const RATES = [8000, 16000, 24000, 48000] as const;

function roundUpRate(hz: number): number {
  return RATES.find((r) => r >= hz) ?? 48000;
}

/** Parses `key=value; key=value` (RFC 7587 §6.1; separators vary between stacks: `;` with or without spaces). */
export function parseFmtp(fmtp: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!fmtp) return out;
  for (const part of fmtp.split(/[;\s]+/)) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  return out;
}

function rateParam(v: string | undefined): number {
  const n = v !== undefined && /^\d{4,6}$/.test(v) ? Number(v) : 48000;
  return Math.min(48000, Math.max(8000, n));
}

/** What we run at, given the peer's fmtp and our preferences. */
export function negotiateOpus(peerFmtp: string | undefined, prefs: OpusPreferences = DEFAULT_OPUS_PREFERENCES): OpusParams {
  const p = parseFmtp(peerFmtp);
  const maxPlaybackRate = rateParam(p.get('maxplaybackrate'));
  const spropMaxCaptureRate = rateParam(p.get('sprop-maxcapturerate'));
  // One internal rate serves both directions: never above what we want, never above the higher of
  // what the peer can play and what it captures (above both, nothing would carry the extra band).
  const sampleRate = Math.min(roundUpRate(prefs.sampleRate), roundUpRate(Math.max(maxPlaybackRate, spropMaxCaptureRate)));
  return {
    sampleRate,
    peerUsesFec: p.get('useinbandfec') === '1',
    maxPlaybackRate,
    spropMaxCaptureRate,
    peerWantsStereo: p.get('stereo') === '1',
    complexity: Math.min(10, Math.max(0, Math.round(prefs.complexity))),
    bitrate: Math.min(510000, Math.max(6000, Math.round(prefs.bitrate))),
  };
}

/**
 * Our fmtp for the answer or offer. We receive mono, play and capture at `sampleRate`. We say
 * useinbandfec=1 (RFC 7587 §6.1): our decoder (decoder.ts) rebuilds a lost frame from the LBRR copy
 * the next packet carries when the jitter buffer already holds it, so FEC bits the peer spends buy
 * clearly better audio than concealment alone (tests/unit/codecs/opus/fec.test.ts measures it).
 */
export function formatOpusFmtp(sampleRate: number): string {
  return `minptime=10;useinbandfec=1;stereo=0;sprop-stereo=0;maxplaybackrate=${sampleRate};sprop-maxcapturerate=${sampleRate}`;
}
