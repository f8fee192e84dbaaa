/**
 * The codec registry: what each codec is (static info for SDP), which ones this build can encode and
 * decode, and the factories. SDP negotiation offers/accepts only `implementedCodecs()`.
 *
 * RTP payload types and clocks from RFC 3551 §6 Table 4 (PCMU 0, PCMA 8, G722 9 — whose RTP clock is
 * 8000 although it samples at 16000, §4.5.2) and RFC 7587 §7 for opus (dynamic PT, always
 * `opus/48000/2` in SDP).
 */
import { UnsupportedCodecError, UnsupportedRateError } from './errors.ts';
import { AlawDecoder, AlawEncoder } from './g711/alaw.ts';
import { MulawDecoder, MulawEncoder } from './g711/mulaw.ts';
import { G722Decoder, G722Encoder } from './g722/codec.ts';
import { OpusDecoder, OpusEncoder } from './opus/codec.ts';
import { DEFAULT_OPUS_PREFERENCES, type OpusParams } from './opus/params.ts';
import { Passthrough } from './resample/passthrough.ts';
import { PolyphaseResampler } from './resample/polyphase.ts';
import type { Band, CodecInfo, CodecName, Decoder, Encoder, Resampler } from './types.ts';

export { CodecDataError, UnsupportedCodecError, UnsupportedRateError } from './errors.ts';
export type { CodecDataProblem } from './errors.ts';
export { DEFAULT_OPUS_PREFERENCES, formatOpusFmtp, negotiateOpus, parseFmtp } from './opus/params.ts';
export type { OpusParams, OpusPreferences } from './opus/params.ts';

/** Payload type we use for opus when we are the offerer (the value WebRTC stacks commonly use). */
export const DEFAULT_OPUS_PT = 111;

export const CODECS: Readonly<Record<CodecName, CodecInfo>> = Object.freeze({
  PCMU: { name: 'PCMU', sampleRate: 8000, clockRate: 8000, channels: 1, payloadType: 0, bytesPer20ms: 160 },
  PCMA: { name: 'PCMA', sampleRate: 8000, clockRate: 8000, channels: 1, payloadType: 8, bytesPer20ms: 160 },
  G722: { name: 'G722', sampleRate: 16000, clockRate: 8000, channels: 1, payloadType: 9, bytesPer20ms: 160 },
  // The PCM rate of opus is ours to choose (libopus runs at 8–48 kHz); 16 kHz unless negotiated otherwise.
  opus: { name: 'opus', sampleRate: DEFAULT_OPUS_PREFERENCES.sampleRate, clockRate: 48000, channels: 2, payloadType: DEFAULT_OPUS_PT },
});

interface Implementation {
  encoder(info: CodecInfo): Encoder;
  decoder(info: CodecInfo): Decoder;
}

/**
 * The dispatch map of codecs that have code behind them; the order is the default preference:
 * wideband first (opus, then G.722), G.711 for everyone else.
 */
const IMPLEMENTATIONS: Partial<Record<CodecName, Implementation>> = {
  opus: { encoder: (i) => new OpusEncoder(i), decoder: (i) => new OpusDecoder(i) },
  G722: { encoder: (i) => new G722Encoder(i), decoder: (i) => new G722Decoder(i) },
  PCMU: { encoder: (i) => new MulawEncoder(i), decoder: (i) => new MulawDecoder(i) },
  PCMA: { encoder: (i) => new AlawEncoder(i), decoder: (i) => new AlawDecoder(i) },
};

/** Static info for `name`, with the payload type the SDP used (dynamic PTs differ per call). */
export function codecInfo(name: CodecName, payloadType?: number): CodecInfo {
  const base = CODECS[name];
  return payloadType === undefined || payloadType === base.payloadType ? base : { ...base, payloadType };
}

/** Opus info for one call: the offer's payload type and the negotiated parameters (rate among them). */
export function opusInfo(payloadType: number, params: OpusParams): CodecInfo {
  return { ...CODECS.opus, payloadType, sampleRate: params.sampleRate, opus: params };
}

/** Codecs this build can encode and decode, in default preference order. */
export function implementedCodecs(): CodecName[] {
  return Object.keys(IMPLEMENTATIONS) as CodecName[];
}

export function createEncoder(info: CodecInfo): Encoder {
  const impl = IMPLEMENTATIONS[info.name];
  if (!impl) throw new UnsupportedCodecError(info.name);
  return impl.encoder(info);
}

export function createDecoder(info: CodecInfo): Decoder {
  const impl = IMPLEMENTATIONS[info.name];
  if (!impl) throw new UnsupportedCodecError(info.name);
  return impl.decoder(info);
}

/** Rates the resampler converts between (any pair, either direction). */
export const RESAMPLER_RATES: readonly number[] = [8000, 16000, 24000, 32000, 48000];

/** A `Passthrough` for equal rates, else a polyphase windowed-sinc resampler. */
export function createResampler(fromRate: number, toRate: number): Resampler {
  if (!RESAMPLER_RATES.includes(fromRate) || !RESAMPLER_RATES.includes(toRate)) {
    throw new UnsupportedRateError(fromRate, toRate);
  }
  return fromRate === toRate ? new Passthrough(fromRate) : new PolyphaseResampler(fromRate, toRate);
}

/**
 * The audio band a codec carries, from its PCM rate: narrowband ≤ 8 kHz sampling (G.711), wideband
 * ≤ 16 kHz (G.722, opus at 16 kHz), super-wideband above (opus at 24 or 48 kHz). Routing policies read this.
 */
export function bandOf(info: CodecInfo): Band {
  if (info.sampleRate <= 8000) return 'narrow';
  if (info.sampleRate <= 16000) return 'wide';
  return 'super';
}
