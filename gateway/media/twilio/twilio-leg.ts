import { codecInfo, createDecoder, createEncoder } from '../../../codecs/index.ts';
import type { Decoder, Encoder } from '../../../codecs/types.ts';
import { MediaError } from '../../errors.ts';
import { metrics } from '../../metrics.ts';
import { isDtmfDigit, type DtmfDigit } from '../dtmf.ts';
import { StreamLeg, type StreamLegOptions } from '../freeswitch/stream-leg.ts';
import type { TwilioInbound, TwilioOutbound } from './twilio-wire.ts';

export interface TwilioLegOptions extends Omit<StreamLegOptions, 'codec' | 'sampleRate'> {
  readonly streamSid: string;
  /** Sends one JSON text frame to Twilio. */
  readonly send: (msg: TwilioOutbound) => void;
  /** Closes the WebSocket (Twilio then ends the <Stream>, and with <Connect> the TwiML goes on). */
  readonly hangup: (reason: string) => void;
}

/**
 * A MediaLeg on Twilio Media Streams: μ-law 8 kHz both ways, base64 in JSON. Inbound `media` is
 * decoded at the edge and re-chunked to 20 ms; outbound audio goes as one `media` message per 20 ms
 * tick, then `mark`s whose echoes say what was played; barge-in sends `clear` (Twilio drops its
 * buffer and echoes the pending marks).
 */
export class TwilioLeg extends StreamLeg {
  readonly kind = 'twilio' as const;
  readonly streamSid: string;
  readonly #send: (msg: TwilioOutbound) => void;
  readonly #hangup: (reason: string) => void;
  readonly #decoder: Decoder;
  readonly #encoder: Encoder;
  readonly #rx = new Int16Array(8000);
  readonly #txBytes = new Uint8Array(160);

  constructor(opts: TwilioLegOptions) {
    const codec = codecInfo('PCMU');
    super({ ...opts, codec, sampleRate: 8000 });
    this.streamSid = opts.streamSid;
    this.#send = opts.send;
    this.#hangup = opts.hangup;
    this.#decoder = createDecoder(codec);
    this.#encoder = createEncoder(codec);
  }

  /** One parsed inbound message (connected/start are handled by the server before the leg exists). */
  handle(msg: TwilioInbound): void {
    if (this.closed) return;
    switch (msg.event) {
      case 'media': {
        // Only the caller's track is audio for the agent ("inbound"); an outbound track would echo us.
        if (msg.media.track !== undefined && msg.media.track !== 'inbound') return;
        const bytes = Buffer.from(msg.media.payload, 'base64');
        if (bytes.length === 0 || bytes.length > this.#rx.length) {
          this.countDropped();
          metrics.streamMessagesDropped.inc({ leg: 'twilio', reason: 'bad-payload' });
          return;
        }
        const n = this.#decoder.decodeInto(bytes, this.#rx);
        this.deliverSamples(this.#rx.subarray(0, n));
        return;
      }
      case 'dtmf': {
        const digit = msg.dtmf.digit.toUpperCase();
        if (!isDtmfDigit(digit)) {
          metrics.streamMessagesDropped.inc({ leg: 'twilio', reason: 'bad-dtmf' });
          return;
        }
        this.deliverDtmf({ digit, durationMs: 0, source: 'twilio' });
        return;
      }
      case 'mark':
        this.ackMark(msg.mark.name);
        return;
      default:
        return;
    }
  }

  sendDtmf(_digits: readonly DtmfDigit[]): Promise<void> {
    // Media Streams carry no outbound DTMF; <Play digits> belongs to TwiML, outside the stream.
    return Promise.reject(new MediaError('twilio media streams cannot send DTMF', 501));
  }

  protected wireName(): string {
    return 'TwilioStream(PCMU/8000) → PCMU(decode)';
  }

  protected sendAudio(pcm: Int16Array): void {
    const n = this.#encoder.encodeInto(pcm, this.#txBytes);
    this.#send({ event: 'media', streamSid: this.streamSid, media: { payload: Buffer.from(this.#txBytes.buffer, 0, n).toString('base64') } });
  }

  protected sendMark(name: string): void {
    this.#send({ event: 'mark', streamSid: this.streamSid, mark: { name } });
  }

  protected sendClear(): void {
    this.#send({ event: 'clear', streamSid: this.streamSid });
  }

  protected closeTransport(reason: string): void {
    this.#hangup(reason);
  }
}
