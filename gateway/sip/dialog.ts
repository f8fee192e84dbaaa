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

/**
 * Progress and outcome of a REFER we sent (RFC 3515): the REFER's final response, then the NOTIFYs of
 * the implicit subscription, whose message/sipfrag bodies (RFC 3420) carry the status line of the
 * transferee's call to the target (100 Trying, 180 Ringing, 200 OK…).
 */
export interface ReferOptions {
  /** Extra headers of the REFER, e.g. Referred-By (RFC 3892). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Give up when no final sipfrag arrives within this (default 30 s); the subscription is then dropped. */
  readonly timeoutMs?: number;
  /** Each provisional sipfrag status (100, 180, 183…), in order, for logs and metrics. */
  readonly onProgress?: (status: number) => void;
}

export type ReferOutcome =
  /** The target answered (sipfrag 2xx): the caller's call has moved on; the referrer should BYE. */
  | { readonly ok: true; readonly status: number }
  | {
      readonly ok: false;
      /** `rejected`: the REFER got a non-2xx; `failed`: a final non-2xx sipfrag (or the subscription ended without one); `timeout`; `ended`: the dialog ended first. */
      readonly stage: 'rejected' | 'failed' | 'timeout' | 'ended';
      readonly status?: number;
    };

/** A REFER from the other side (a PBX moving the call on), to be accepted or refused by the call. */
export interface IncomingRefer {
  /** The Refer-To URI (personal data: log only under `pii.*`). */
  readonly target: string;
  readonly referredBy: string | undefined;
  /** Answers 202 Accepted and sends the first NOTIFY (sipfrag "100 Trying"), RFC 3515 §2.4.4. */
  accept(): void;
  /** Refuses the REFER with a final status (403, 603…). */
  reject(status: number, reason?: string): void;
  /** Reports the outcome of the referred call in a final NOTIFY (sipfrag `status`), terminating the subscription. */
  finish(status: number, reason?: string): void;
}

export interface SipDialogEvents {
  /** The caller hung up (BYE received; already answered 200). */
  bye: [];
  /** CANCEL before answer; the INVITE has already been answered 487. */
  cancel: [];
  reinvite: [ReInvite];
  dtmf: [InfoDtmf];
  /** A REFER inside the dialog; with no listener it is refused 403. */
  refer: [IncomingRefer];
  /** Our 2xx was never ACKed (Timer H fired): the dialog sends BYE and ends. */
  'ack-timeout': [];
  /**
   * The signaling backend lost the dialog without any SIP saying so (drachtio-server went away): the
   * call is over as a fault, not a hang-up. Emitted just before `ended`.
   */
  lost: [];
  /** The dialog is over, whichever side ended it. Emitted once. */
  ended: [];
}

/**
 * The dialog interface both signaling backends implement (embedded UAS and drachtio-srf), so the call
 * layer never knows which one carries the call. Promise-only; errors are `SipError`s with a status.
 */
export interface SipDialog extends EventEmitter<SipDialogEvents> {
  readonly backend: 'embedded' | 'drachtio' | 'twilio';
  readonly info: CallInfo;
  /** The SDP offer of the initial INVITE (empty string for an offer-less INVITE). */
  readonly offer: string;
  /** Sends 180 Ringing or 183 with SDP (early media). */
  progress(status: 180 | 183, sdp?: string): void;
  /**
   * Answers 200 OK with our SDP; resolves when the ACK arrives, rejects on Timer H. Backends that
   * can read the ACK resolve with its body when it has one: after an offer-less INVITE our 200
   * carried the offer and the ACK carries the caller's answer (RFC 3261 §13.2.1, RFC 3264 §5).
   * `void` (no body, or a backend that never sees one) is a missing answer for a late offer.
   */
  answer(sdp: string): Promise<string | void>;
  /** Final error response to the INVITE. */
  reject(status: number, reason?: string, headers?: Readonly<Record<string, string>>): void;
  /** Ends an established dialog from our side; resolves when the BYE is answered (or times out). */
  bye(headers?: Readonly<Record<string, string>>): Promise<void>;
  /**
   * Blind transfer (RFC 3515): sends REFER with `Refer-To: <target>` in this (confirmed) dialog and
   * follows the NOTIFY progress. Resolves with the outcome, never rejects; it does not send BYE.
   */
  refer(target: string, opts?: ReferOptions): Promise<ReferOutcome>;
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
