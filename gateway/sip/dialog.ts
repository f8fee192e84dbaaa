import type { EventEmitter } from 'node:events';
import type { CallInfo } from './call-info.ts';

/** A re-INVITE (or UPDATE) inside a dialog, to be answered by the call. */
export interface ReInvite {
  /** The new SDP offer, or undefined for an offer-less re-INVITE (we then offer in the 200). */
  readonly sdp: string | undefined;
  /** Answers 200 OK with our SDP. */
  accept(sdp: string): void;
  reject(status: number, reason?: string): void;
}

/** DTMF that arrived in a SIP INFO (`application/dtmf-relay` or `application/dtmf`). */
export interface InfoDtmf {
  readonly digit: string;
  readonly durationMs: number;
}

export interface SipDialogEvents {
  /** The caller hung up (BYE received; already answered 200). */
  bye: [];
  /** CANCEL before answer; the INVITE has already been answered 487. */
  cancel: [];
  reinvite: [ReInvite];
  dtmf: [InfoDtmf];
  /** Our 2xx was never ACKed (Timer H fired): the dialog sends BYE and ends. */
  'ack-timeout': [];
  /** The dialog is over, whichever side ended it. Emitted once. */
  ended: [];
}

/**
 * The dialog interface both signaling backends implement (embedded UAS and drachtio-srf), so the call
 * layer never knows which one carries the call. Promise-only; errors are `SipError`s with a status.
 */
export interface SipDialog extends EventEmitter<SipDialogEvents> {
  readonly backend: 'embedded' | 'drachtio';
  readonly info: CallInfo;
  /** The SDP offer of the initial INVITE (empty string for an offer-less INVITE). */
  readonly offer: string;
  /** Sends 180 Ringing or 183 with SDP (early media). */
  progress(status: 180 | 183, sdp?: string): void;
  /** Answers 200 OK with our SDP; resolves when the ACK arrives, rejects on Timer H. */
  answer(sdp: string): Promise<void>;
  /** Final error response to the INVITE. */
  reject(status: number, reason?: string, headers?: Readonly<Record<string, string>>): void;
  /** Ends an established dialog from our side; resolves when the BYE is answered (or times out). */
  bye(headers?: Readonly<Record<string, string>>): Promise<void>;
  readonly state: 'early' | 'confirmed' | 'terminated';
}

/** A signaling backend: hands out a dialog per new INVITE. */
export interface SignalingEvents {
  invite: [SipDialog];
}

export interface Signaling extends EventEmitter<SignalingEvents> {
  start(): Promise<void>;
  /** Stops accepting new calls (answers 503) while dialogs continue; then `close()`. */
  setAccepting(accepting: boolean): void;
  close(): Promise<void>;
  /** Where the caller should dial, e.g. `sip:trunkline@127.0.0.1:5060`. */
  readonly uris: readonly string[];
}
