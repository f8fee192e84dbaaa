/**
 * Opus (RFC 6716). Encoding goes through @discordjs/opus, a thin N-API binding over libopus 1.3 (the
 * design's named binding): one 20 ms frame per RTP packet (RFC 7587 §4.2), mono. Decoding moved to
 * libopus in WebAssembly (decoder.ts) because that binding can only call opus_decode with
 * decode_fec = 0, so it could never rebuild a lost frame from the next packet's in-band FEC; the
 * decoder still takes any legal frame length (2.5–120 ms) and downmixes stereo streams to mono.
 */
import { createRequire } from 'node:module';
import type { CodecInfo, Encoder } from '../types.ts';
import { DEFAULT_OPUS_PREFERENCES, negotiateOpus, type OpusParams } from './params.ts';

export { OpusDecoder } from './decoder.ts';

interface OpusBinding {
  encode(pcm: Buffer): Buffer;
  applyEncoderCTL(ctl: number, value: number): void;
  setBitrate(bitrate: number): void;
}
type OpusCtor = new (rate: number, channels: number) => OpusBinding;

const require = createRequire(import.meta.url);
const { OpusEncoder: Binding } = require('@discordjs/opus') as { OpusEncoder: OpusCtor };

/** libopus CTL request numbers and values (opus_defines.h). */
const CTL = { setApplication: 4000, setMaxBandwidth: 4004, setComplexity: 4010, setInbandFec: 4012, setPacketLossPerc: 4014, setSignal: 4024 } as const;
const APPLICATION_VOIP = 2048;
const SIGNAL_VOICE = 3001;
/** OPUS_BANDWIDTH_NARROWBAND … FULLBAND by the audio rate they need. */
function bandwidthFor(rate: number): number {
  return rate <= 8000 ? 1101 : rate <= 12000 ? 1102 : rate <= 16000 ? 1103 : rate <= 24000 ? 1104 : 1105;
}

export function opusParamsOf(info: CodecInfo): OpusParams {
  return info.opus ?? negotiateOpus(undefined, { ...DEFAULT_OPUS_PREFERENCES, sampleRate: info.sampleRate });
}

export class OpusEncoder implements Encoder {
  readonly #opus: OpusBinding;
  readonly #frame: number;
  /** Staging buffer: libopus only takes 2.5/5/10/20/40/60 ms frames, so other lengths are padded. */
  readonly #pcm: Buffer;

  constructor(readonly info: CodecInfo) {
    const p = opusParamsOf(info);
    this.#opus = new Binding(info.sampleRate, 1);
    // The application can only be set before the first frame (opus_encoder_ctl, OPUS_SET_APPLICATION).
    this.#opus.applyEncoderCTL(CTL.setApplication, APPLICATION_VOIP);
    this.#opus.applyEncoderCTL(CTL.setSignal, SIGNAL_VOICE);
    this.#opus.applyEncoderCTL(CTL.setComplexity, p.complexity);
    this.#opus.applyEncoderCTL(CTL.setMaxBandwidth, bandwidthFor(Math.min(p.maxPlaybackRate, info.sampleRate)));
    if (p.peerUsesFec) {
      // LBRR is only produced when the encoder expects loss (RFC 6716 §2.1.7, opus_encoder.c).
      this.#opus.applyEncoderCTL(CTL.setInbandFec, 1);
      this.#opus.applyEncoderCTL(CTL.setPacketLossPerc, 10);
    }
    this.#opus.setBitrate(p.bitrate);
    this.#frame = info.sampleRate / 50;
    this.#pcm = Buffer.alloc(this.#frame * 2);
  }

  /** Encodes one 20 ms frame (shorter input is padded with silence, longer is cut). */
  encodeInto(pcm: Int16Array, out: Uint8Array): number {
    const n = Math.min(pcm.length, this.#frame);
    const staged = new Int16Array(this.#pcm.buffer, this.#pcm.byteOffset, this.#frame);
    staged.set(n === pcm.length ? pcm : pcm.subarray(0, n));
    if (n < this.#frame) staged.fill(0, n);
    const packet = this.#opus.encode(this.#pcm);
    if (packet.length > out.length) throw new RangeError(`opus packet of ${packet.length} bytes does not fit ${out.length}`);
    out.set(packet);
    return packet.length;
  }
}
