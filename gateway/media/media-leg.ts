import type { EventEmitter } from 'node:events';
import type { CodecInfo } from '../../codecs/types.ts';
import type { AudioSink } from './audio-sink.ts';
import type { DtmfDigit, DtmfEvent } from './dtmf.ts';
import type { Playout } from './playout.ts';

/** Counters a leg keeps about its media; read for metrics, logs and the end-of-call record. */
export interface MediaStats {
  packetsIn: number;
  packetsOut: number;
  packetsLost: number;
  packetsDropped: number;
  /** Interarrival jitter in milliseconds (RFC 3550 §6.4.1), our estimate of the inbound stream. */
  jitterMs: number;
}

export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface MediaLegEvents {
  dtmf: [DtmfEvent];
  /** The leg failed on its own (socket error, media timeout); the call decides what to do. */
  error: [Error];
  /** No inbound media for the configured timeout while the call is not on hold. */
  'media-timeout': [];
}

/**
 * The call's audio, whatever carries it (embedded RTP, FreeSWITCH over mod_audio_fork, Twilio Media
 * Streams). Caller audio is decoded at the edge and pushed as `AudioFrame`s at `sampleRate` into the
 * connected sink; agent audio is pulled out of `output` on the shared 20 ms clock.
 */
export interface MediaLeg extends EventEmitter<MediaLegEvents> {
  readonly kind: 'rtp' | 'freeswitch' | 'twilio';
  readonly codec: CodecInfo;
  /** PCM rate of the frames this leg delivers and of its `output`. */
  readonly sampleRate: number;
  /** Sets where decoded caller audio goes (replaces the previous sink). */
  connectInput(sink: AudioSink): void;
  /** Agent → caller audio. */
  readonly output: Playout;
  /** Sends digits to the caller's side (RFC 4733 on RTP). Resolves when the last digit is sent. */
  sendDtmf(digits: readonly DtmfDigit[]): Promise<void>;
  /** Hold and resume from a re-INVITE: direction as seen from our side. */
  setDirection(direction: MediaDirection): void;
  /** Updates where media goes after a re-INVITE changed the remote address. */
  updateRemote?(address: string, port: number): void;
  stats(): MediaStats;
  /** Releases every resource of the leg (socket, port, timers). Idempotent. */
  close(reason: string): void;
  /** The pipeline as text, e.g. `RTP(PCMU/8000) → JitterBuffer → PCMU(decode) → FanOut[menu]`. */
  describe(): string;
}
