import { EventEmitter } from 'node:events';
import { codecInfo, createResampler } from '../../codecs/index.ts';
import type { CodecInfo } from '../../codecs/types.ts';
import { nullSink, type AudioSink } from '../../gateway/media/audio-sink.ts';
import type { DtmfDigit } from '../../gateway/media/dtmf.ts';
import type { MediaDirection, MediaLeg, MediaLegEvents, MediaStats } from '../../gateway/media/media-leg.ts';
import { Playout } from '../../gateway/media/playout.ts';

/** A MediaLeg without sockets: a real Playout, and a record of what the call asked of it. */
export class FakeLeg extends EventEmitter<MediaLegEvents> implements MediaLeg {
  readonly kind = 'rtp' as const;
  readonly sampleRate: number;
  readonly output: Playout;
  sink: AudioSink = nullSink;
  direction: MediaDirection = 'sendrecv';
  remote: { address: string; port: number } | undefined;
  sentDigits: DtmfDigit[] = [];
  closedWith: string | undefined;

  constructor(readonly codec: CodecInfo = codecInfo('PCMU')) {
    super();
    this.sampleRate = codec.sampleRate;
    this.output = new Playout({ sampleRate: codec.sampleRate, makeResampler: createResampler });
  }
  connectInput(sink: AudioSink): void {
    this.sink = sink;
  }
  sendDtmf(digits: readonly DtmfDigit[]): Promise<void> {
    this.sentDigits.push(...digits);
    return Promise.resolve();
  }
  setDirection(direction: MediaDirection): void {
    this.direction = direction;
  }
  updateRemote(address: string, port: number): void {
    this.remote = { address, port };
  }
  stats(): MediaStats {
    return { packetsIn: 0, packetsOut: 0, packetsLost: 0, packetsDropped: 0, jitterMs: 0 };
  }
  close(reason: string): void {
    this.closedWith ??= reason;
    this.output.clear();
  }
  describe(): string {
    return `Fake(${this.codec.name}) → ${this.sink.describe()}`;
  }
}
