import { EventEmitter } from 'node:events';
import type { CallInfo } from '../../gateway/sip/call-info.ts';
import type { ReferOptions, ReferOutcome, SipDialog, SipDialogEvents } from '../../gateway/sip/dialog.ts';

/** An in-memory SipDialog that records what the call did to it. */
export class FakeDialog extends EventEmitter<SipDialogEvents> implements SipDialog {
  readonly backend = 'embedded' as const;
  state: SipDialog['state'] = 'early';
  readonly actions: string[] = [];
  answeredSdp: string | undefined;
  /** REFERs sent, with a hand to settle each (progress, then the outcome). */
  readonly refers: { target: string; opts: ReferOptions; settle: (o: ReferOutcome) => void }[] = [];
  #ack: (() => void) | undefined;

  constructor(
    readonly offer: string,
    readonly info: CallInfo = fakeCallInfo(),
  ) {
    super();
  }

  progress(status: 180 | 183): void {
    this.actions.push(`progress ${status}`);
  }
  answer(sdp: string): Promise<void> {
    this.actions.push('answer');
    this.answeredSdp = sdp;
    return new Promise((r) => (this.#ack = r));
  }
  /** The caller's ACK arrives. */
  ack(): void {
    this.state = 'confirmed';
    this.#ack?.();
  }
  reject(status: number): void {
    this.actions.push(`reject ${status}`);
    this.state = 'terminated';
  }
  refer(target: string, opts: ReferOptions = {}): Promise<ReferOutcome> {
    this.actions.push('refer');
    return new Promise((settle) => this.refers.push({ target, opts, settle }));
  }
  bye(): Promise<void> {
    this.actions.push('bye');
    this.state = 'terminated';
    return Promise.resolve();
  }
}

export function fakeCallInfo(over: Partial<CallInfo> = {}): CallInfo {
  return {
    callId: `call-${Math.random().toString(36).slice(2)}`,
    from: 'sip:+15550100@198.51.100.1',
    to: 'sip:+15550199@192.0.2.1',
    dialed: '+15550199',
    requestUri: 'sip:+15550199@192.0.2.1',
    source: { address: '127.0.0.1', port: 5062, transport: 'udp' },
    trunk: 'lab',
    headers: {},
    ...over,
  };
}
