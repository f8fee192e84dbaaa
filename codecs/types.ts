import type { OpusParams } from './opus/params.ts';

/**
 * Core audio types shared by every layer. `codecs/` is a leaf: it imports nothing of the gateway,
 * the agent or the policies, so these types live here and everyone else imports them.
 */

/** 20 ms of mono PCM16 — the unit of work everywhere inside the gateway. */
export interface AudioFrame {
  /** Mono PCM16 samples; a view (`subarray`) is fine, consumers must not keep it past `write()`. */
  readonly samples: Int16Array;
  /** PCM sample rate in Hz (8000, 16000, 24000, 48000). */
  readonly sampleRate: number;
  /** Media timestamp of the first sample, in samples at `sampleRate`, monotonic within a stream. */
  readonly timestamp: number;
  /**
   * When the packet that carried this audio reached the gateway (ms, performance.now clock), before
   * any jitter buffering: a consumer that times the caller's speech (endpointing) counts from here,
   * so the buffer's delay is not added on top. For a concealed or silence-filled frame, when its
   * packet would have arrived. Unset when the leg cannot tell (then use the time of `write()`).
   */
  readonly arrivalMs?: number;
}

/** Samples in one 20 ms frame at `sampleRate`. */
export function samplesPer20ms(sampleRate: number): number {
  return (sampleRate / 50) | 0;
}

export type CodecName = 'PCMU' | 'PCMA' | 'G722' | 'opus';

/**
 * What a negotiated codec is. `clockRate` is the RTP/SDP clock, which is not always the PCM rate:
 * RFC 3551 §4.5.2 fixes G.722's RTP clock at 8000 although it carries 16 kHz audio.
 */
export interface CodecInfo {
  readonly name: CodecName;
  /** PCM rate the decoder produces and the encoder consumes, in Hz. */
  readonly sampleRate: number;
  /** RTP timestamp clock rate in Hz, as written in SDP `a=rtpmap`. */
  readonly clockRate: number;
  /** Channels as written in SDP (opus is always "2" in SDP, RFC 7587 §7); PCM inside is mono. */
  readonly channels: number;
  /** RTP payload type (static for PCMU 0, PCMA 8, G722 9; dynamic for opus). */
  readonly payloadType: number;
  /** Encoded bytes in one 20 ms frame for constant-rate codecs, undefined for variable-rate. */
  readonly bytesPer20ms?: number;
  /** Opus only: what the SDP negotiated (RFC 7587 fmtp) and the internal rate; see codecs/opus/params.ts. */
  readonly opus?: OpusParams;
}

export type Band = 'narrow' | 'wide' | 'super';

export interface Encoder {
  readonly info: CodecInfo;
  /** Encodes `pcm` (mono, `info.sampleRate`) into `out`; returns the number of bytes written. */
  encodeInto(pcm: Int16Array, out: Uint8Array): number;
}

export interface Decoder {
  readonly info: CodecInfo;
  /** Decodes one payload into `out`; returns the number of samples written. */
  decodeInto(payload: Uint8Array, out: Int16Array): number;
  /**
   * Fills `out` with a replacement for one lost frame (packet-loss concealment) and returns the
   * number of samples written. Codecs without PLC write silence.
   */
  concealInto(out: Int16Array): number;
  /**
   * Optional (codecs with in-band FEC: Opus). Rebuilds one lost frame from `next`, the packet right
   * after it, already waiting in the jitter buffer (RFC 6716 §2.1.7: the next packet can carry a
   * low-bitrate copy of the previous frame). Without usable FEC data it conceals as `concealInto`.
   * `next` is not consumed: it is still decoded on its own turn. Never throws on bad data.
   */
  recoverInto?(next: Uint8Array, out: Int16Array): LossRecovery;
  /** Optional: frees native or WebAssembly memory at once (the leg calls it when the call ends). */
  close?(): void;
}

/** How `recoverInto` filled a lost frame: from the next packet's FEC data, or by concealment. */
export interface LossRecovery {
  readonly samples: number;
  readonly method: 'fec' | 'plc';
}

/** A stateful rate converter: state carries across calls so consecutive frames join without clicks. */
export interface Resampler {
  readonly fromRate: number;
  readonly toRate: number;
  /** Samples `process` will write for `inputLength` input samples (upper bound). */
  outputLength(inputLength: number): number;
  /** Converts `input` into `out`; returns the number of samples written. */
  process(input: Int16Array, out: Int16Array): number;
  /** Group delay added by the filter, in milliseconds. */
  readonly delayMs: number;
  describe(): string;
}
