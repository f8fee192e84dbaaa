import { EventEmitter } from 'node:events';
import type { CallInfo } from '../../sip/call-info.ts';
import type { ReferOutcome, SipDialog, SipDialogEvents } from '../../sip/dialog.ts';

/**
 * The offer a Twilio stream stands for: Media Streams are always μ-law 8 kHz mono, so the call layer
 * negotiates exactly PCMU (the address is never used: audio travels inside the WebSocket).
 */
export const TWILIO_OFFER = [
  'v=0',
  'o=twilio 0 0 IN IP4 0.0.0.0',
  's=twilio-media-stream',
  'c=IN IP4 0.0.0.0',
  't=0 0',
  'm=audio 9 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  'a=ptime:20',
  'a=sendrecv',
  '',
].join('\r\n');

/**
 * A Twilio Media Stream seen through the dialog interface, so a `<Connect><Stream>` call runs through
 * the same call runner, routing and agents as a SIP call. There is no SIP: answering is immediate,
 * hanging up closes the WebSocket (Twilio then goes on with the TwiML after `<Connect>`), the
 * caller's hang-up is the `stop` message or the socket closing, and REFER has no equivalent.
 */
export class TwilioDialog extends EventEmitter<SipDialogEvents> implements SipDialog {
  readonly backend = 'twilio' as const;
  readonly offer = TWILIO_OFFER;
  state: SipDialog['state'] = 'early';
  readonly #close: (code: number, reason: string) => void;

  constructor(
    readonly info: CallInfo,
    close: (code: number, reason: string) => void,
  ) {
    super();
    this.#close = close;
  }

  progress(): void {
    // Twilio already answered the PSTN call before opening the stream.
  }

  answer(): Promise<void> {
    if (this.state === 'early') this.state = 'confirmed';
    return Promise.resolve();
  }

  reject(status: number): void {
    if (this.state === 'terminated') return;
    this.#end();
    // 1000 for a call that was refused on purpose (busy, no agent); 1011 for our own fault.
    this.#close(status >= 500 && status !== 503 ? 1011 : 1000, `rejected ${status}`);
  }

  bye(): Promise<void> {
    if (this.state !== 'terminated') {
      this.#end();
      this.#close(1000, 'hangup');
    }
    return Promise.resolve();
  }

  refer(): Promise<ReferOutcome> {
    // A transfer of a Twilio call is a REST update of the call (new TwiML), outside the stream.
    return Promise.resolve({ ok: false, stage: 'rejected', status: 501 });
  }

  /** The stream ended from Twilio's side (`stop`, or the socket closed). */
  remoteEnded(): void {
    if (this.state === 'terminated') return;
    const early = this.state === 'early';
    this.state = 'terminated';
    this.emit(early ? 'cancel' : 'bye');
    this.emit('ended');
  }

  #end(): void {
    this.state = 'terminated';
    this.emit('ended');
  }
}
