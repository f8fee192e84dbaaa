/**
 * Errors of the codec layer. `codecs/` is a leaf (design §3), so these do not extend the gateway's
 * `TrunklineError`; callers branch on the class and its fields, never on the message text.
 */
import type { CodecName } from './types.ts';

/** A codec is known to the registry (it can appear in SDP) but has no encoder/decoder here yet. */
export class UnsupportedCodecError extends Error {
  override readonly name = 'UnsupportedCodecError';
  constructor(readonly codec: CodecName | string) {
    super(`codec ${codec} has no implementation in this build`);
  }
}

/** A resampler was asked for a rate pair it does not support. */
export class UnsupportedRateError extends Error {
  override readonly name = 'UnsupportedRateError';
  constructor(
    readonly fromRate: number,
    readonly toRate: number,
  ) {
    super(`no resampler for ${fromRate} Hz -> ${toRate} Hz`);
  }
}

/** Why a payload could not be decoded as it stands; a closed set, used as a metric label. */
export type CodecDataProblem = 'corrupt' | 'size' | 'odd-length';

/**
 * A payload or PCM buffer the codec could not use as it stands (corrupt Opus packet, G.722 payload
 * of an impossible size, odd-length PCM). The media path catches it, counts it and conceals; it
 * never leaves the media path. `written` says how many samples/bytes were still produced.
 */
export class CodecDataError extends Error {
  override readonly name = 'CodecDataError';
  constructor(
    readonly codec: CodecName,
    readonly problem: CodecDataProblem,
    readonly written = 0,
  ) {
    super(`${codec}: unusable input (${problem})`);
  }
}
