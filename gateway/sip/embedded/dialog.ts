import { EventEmitter } from 'node:events';
import type { CallInfo } from '../call-info.ts';
import type { ReferOptions, ReferOutcome, SipDialog, SipDialogEvents } from '../dialog.ts';
import { SipError } from '../../errors.ts';
import { metrics } from '../../metrics.ts';
import type { TimerHandle } from './clock.ts';
import type { DialogHost } from './dialog-host.ts';
import type { Endpoint, SipRequest, SipResponse } from './message.ts';
import { parseCSeq, parseNameAddr } from './header-values.ts';
import { makeResponse } from './serialize.ts';
import type { ServerInviteTransaction } from './transaction-server-invite.ts';
import type { ServerTransaction } from './transaction.ts';
import { Retransmit2xx } from './retransmit-2xx.ts';
import { PendingReInvite } from './dialog-reinvite.ts';
import { parseInfoBody, INFO_ACCEPT } from './info-dtmf.ts';
import { ALLOW, SUPPORTED, optionsHeaders } from './capabilities.ts';
import { buildInDialogRequest, nextHopFor, type DialogRouting } from './dialog-request.ts';
import { OutgoingRefer } from './dialog-refer.ts';
import { allowsUpdate, sendReInvite } from './dialog-reinvite-out.ts';
import { dialogSessionTimer, sessionTimerHeaders, type SessionTimer, type SessionTimerPlan } from './session-timer.ts';
import { EmbeddedIncomingRefer, referToProblem } from './dialog-refer-incoming.ts';

export type { DialogHost } from './dialog-host.ts';

export interface EmbeddedDialogOptions {
  readonly host: DialogHost;
  readonly invite: SipRequest;
  readonly tx: ServerInviteTransaction;
  readonly info: CallInfo;
  readonly localTag: string;
  /** No final answer from the call within this → 408 (default 32 s, i.e. 64*T1). */
  readonly answerTimeoutMs?: number;
  /** RFC 4028 session timer negotiated from the INVITE (session-timer.ts); none when absent. */
  readonly sessionTimer?: SessionTimerPlan;
}

/** An INVITE whose 2xx waits for its ACK (the initial one or a re-INVITE), matched by CSeq number. */
interface AwaitingAck {
  readonly cseq: number;
  readonly retransmit: Retransmit2xx;
  /** With the ACK's body, if any: the answer to an offer we put in the 2xx (RFC 3261 §13.2.1). */
  readonly resolve: (body?: string) => void;
  readonly reject: (err: Error) => void;
  /** Woken when the wait is over, however it ended (a BYE we send waits on this, §15). */
  readonly waiters: (() => void)[];
}

/**
 * The UAS side of one dialog (RFC 3261 §12.1.1, §13.3, §15): created with our To tag when the
 * INVITE arrives ("early"), "confirmed" once we send the 2xx, "terminated" after BYE, CANCEL,
 * rejection or ACK timeout. In-dialog requests arrive through `receive` with their server transaction.
 */
export class EmbeddedDialog extends EventEmitter<SipDialogEvents> implements SipDialog {
  readonly backend = 'embedded' as const;
  readonly info: CallInfo;
  readonly offer: string;
  readonly localTag: string;
  readonly remoteTag: string;
  readonly callId: string;
  #state: 'early' | 'confirmed' | 'terminated' = 'early';
  readonly #host: DialogHost;
  readonly #invite: SipRequest;
  readonly #tx: ServerInviteTransaction;
  readonly #routing: DialogRouting;
  readonly #source: Endpoint;
  #remoteCSeq: number;
  #localCSeq = 0;
  #awaiting: AwaitingAck | undefined;
  #pendingReInvite: PendingReInvite | undefined;
  #answerTimer: TimerHandle | undefined;
  /** The REFER we sent whose NOTIFYs we still expect (one at a time). */
  #refer: OutgoingRefer | undefined;
  readonly #sessionTimer: SessionTimer | undefined;
  /** Our current SDP (the last answer we sent): the body of a refresh re-INVITE. */
  #localSdp: string | undefined;
  /** A re-INVITE of ours awaits its final response (§14.1: the peer's offer meanwhile gets 491). */
  #reInviting = false;

  constructor(opts: EmbeddedDialogOptions) {
    super();
    const { invite } = opts;
    this.#host = opts.host;
    this.#invite = invite;
    this.#tx = opts.tx;
    this.info = opts.info;
    this.localTag = opts.localTag;
    this.offer = invite.body.toString('utf8');
    this.callId = invite.headers.get('Call-ID') ?? '';
    const from = invite.headers.get('From') ?? '';
    this.remoteTag = parseNameAddr(from).tag ?? '';
    this.#remoteCSeq = parseCSeq(invite.headers.get('CSeq') ?? '').seq;
    this.#source = invite.source ?? { address: '127.0.0.1', port: 5060, transport: 'udp' };
    const contact = invite.headers.get('Contact');
    this.#routing = {
      callId: this.callId,
      localUri: invite.headers.get('To') ?? '',
      localTag: this.localTag,
      remoteUri: from,
      remoteTarget: contact !== undefined ? parseNameAddr(contact).uri : invite.uri,
      routeSet: invite.headers.getAll('Record-Route'),
    };
    this.#sessionTimer = dialogSessionTimer(opts.sessionTimer, this.#host.clock, {
      confirmed: () => this.#state === 'confirmed',
      update: () => this.#send('UPDATE', this.#nextLocalCSeq(), { Contact: this.#contact(), ...this.#timerHeaders() }),
      // RFC 4028 §9: a peer whose Allow lacks UPDATE is refreshed with a re-INVITE instead.
      ...(this.#host.requestInvite && this.#host.sendRequest && !allowsUpdate(invite) ? { reinvite: () => this.#reInvite() } : {}),
      bye: (headers) => this.bye(headers),
    });
    this.#answerTimer = this.#host.clock.setTimeout(() => {
      if (this.#state === 'early' && !this.#tx.finalSent) this.reject(408, 'Request Timeout');
    }, opts.answerTimeoutMs ?? 32_000);
  }

  /** Dialog ID (§12): Call-ID, local tag, remote tag. */
  get id(): string {
    return dialogId(this.callId, this.localTag, this.remoteTag);
  }

  get state(): 'early' | 'confirmed' | 'terminated' {
    return this.#state;
  }

  progress(status: 180 | 183, sdp?: string): void {
    if (this.#state !== 'early' || this.#tx.finalSent) return;
    this.#tx.respond(this.#response(this.#invite, status, { Contact: this.#contact() }, sdp));
  }

  answer(sdp: string): Promise<string | void> {
    if (this.#state !== 'early' || this.#tx.finalSent) return Promise.reject(new SipError(500, 'dialog cannot be answered in its state'));
    this.#clearAnswerTimer();
    const res = this.#response(this.#invite, 200, this.#answerHeaders(), sdp);
    this.#state = 'confirmed';
    this.#localSdp = sdp;
    this.#tx.respond(res);
    this.#sessionTimer?.restart();
    return this.#awaitAck(this.#remoteCSeq, res);
  }

  reject(status: number, reason?: string, headers?: Readonly<Record<string, string>>): void {
    if (this.#state !== 'early' || this.#tx.finalSent) return;
    this.#tx.respond(this.#response(this.#invite, status >= 300 && status <= 699 ? status : 500, { ...headers }, undefined, reason));
    this.#end();
  }

  async bye(headers?: Readonly<Record<string, string>>): Promise<void> {
    if (this.#state === 'terminated') return;
    if (this.#state === 'early') {
      // Not answered yet: there is nothing to BYE; end the INVITE instead (§15: BYE needs a confirmed dialog).
      this.reject(480, 'Temporarily Unavailable');
      return;
    }
    // §15: the callee must not send BYE before the ACK of its 2xx arrives (or the 2xx times out).
    const awaiting = this.#awaiting;
    if (awaiting !== undefined) await new Promise<void>((resolve) => awaiting.waiters.push(resolve));
    // The wait may have ended the dialog (the caller's BYE crossed ours).
    if ((this.#state as string) === 'terminated') return;
    const req = buildInDialogRequest(this.#routing, 'BYE', this.#nextLocalCSeq(), { transport: this.#source.transport, ...this.#host.sentBy(this.#source.transport) }, headers);
    // §15.1.1: the session is over as soon as the BYE is sent.
    this.#end();
    await this.#host.request(req, nextHopFor(this.#routing, this.#source));
  }

  refer(target: string, opts: ReferOptions = {}): Promise<ReferOutcome> {
    // One transfer at a time, in a confirmed dialog whose 2xx is ACKed (else 491, as for a glare).
    const busy = this.#state !== 'confirmed' || this.#awaiting !== undefined || (this.#refer !== undefined && !this.#refer.settled);
    if (busy) return Promise.resolve({ ok: false, stage: 'rejected', status: 491 });
    const cseq = this.#nextLocalCSeq();
    const refer = new OutgoingRefer(cseq, this.#host.clock, opts);
    this.#refer = refer;
    // RFC 3515 §2.1 Refer-To; RFC 3892 Referred-By names us (the To of the INVITE, without its tag).
    const headers = { 'Refer-To': `<${target}>`, 'Referred-By': `<${parseNameAddr(this.#routing.localUri).uri}>`, Contact: this.#contact(), ...opts.headers };
    this.#send('REFER', cseq, headers).then((res) => refer.responded(res), () => refer.responded(undefined));
    return refer.outcome;
  }

  /** CANCEL matched our INVITE transaction (its 200 is already sent; §9.2). */
  receiveCancel(): void {
    if (this.#state !== 'early' || this.#tx.finalSent) return;
    this.#tx.respond(this.#response(this.#invite, 487, {}, undefined, 'Request Terminated'));
    this.emit('cancel');
    this.#end();
  }

  /** An ACK for one of our 2xx (§13.3.1.4, §17.1.1.3: its own transaction, matched by dialog + CSeq). */
  receiveAck(ack: SipRequest): void {
    const seq = safeCSeq(ack);
    const awaiting = this.#awaiting;
    if (awaiting === undefined || seq !== awaiting.cseq) return;
    this.#awaiting = undefined;
    awaiting.retransmit.stop();
    awaiting.resolve(ack.body.length > 0 ? ack.body.toString('utf8') : undefined);
    for (const wake of awaiting.waiters) wake();
  }

  /** A request inside this dialog, with the server transaction that answers it. */
  receive(req: SipRequest, tx: ServerTransaction): void {
    const seq = safeCSeq(req);
    // §12.2.2: a CSeq lower than the last one seen is out of order.
    if (seq === undefined || seq < this.#remoteCSeq) {
      tx.respond(this.#response(req, 500, {}, undefined, 'Server Internal Error - CSeq out of order'));
      return;
    }
    this.#remoteCSeq = seq;
    switch (req.method) {
      case 'BYE':
        return this.#receiveBye(req, tx);
      case 'INVITE':
      case 'UPDATE':
        return this.#receiveOffer(req, tx, seq);
      case 'INFO':
        return this.#receiveInfo(req, tx);
      case 'NOTIFY':
        // RFC 6665 §4.1.3: a NOTIFY for no subscription of ours (or one we gave up on) gets 481,
        // which also tells the notifier to drop it.
        return tx.respond(this.#response(req, this.#refer?.matches(req) && !this.#refer.settled ? this.#refer.receiveNotify(req) : 481));
      case 'REFER':
        return this.#receiveRefer(req, tx, seq);
      case 'OPTIONS':
        return tx.respond(this.#response(req, 200, optionsHeaders()));
      default:
        return tx.respond(this.#response(req, 405, { Allow: ALLOW }));
    }
  }

  /** Ends the dialog without signaling (shutdown of the stack). */
  destroy(): void {
    this.#end();
  }

  #receiveBye(req: SipRequest, tx: ServerTransaction): void {
    tx.respond(this.#response(req, 200));
    // §15.1.2: a BYE on an early dialog ends it; the pending INVITE gets 487.
    if (!this.#tx.finalSent) this.#tx.respond(this.#response(this.#invite, 487, {}, undefined, 'Request Terminated'));
    if (this.#state === 'terminated') return;
    this.emit('bye');
    this.#end();
  }

  #receiveOffer(req: SipRequest, tx: ServerTransaction, seq: number): void {
    // §14.2: a second offer while the first is unanswered (or its 2xx not yet ACKed) → 500 + Retry-After.
    if (this.#reInviting && this.#state === 'confirmed') {
      tx.respond(this.#response(req, 491, {}, undefined, 'Request Pending')); // §14.1 glare
      return;
    }
    const busy = this.#state !== 'confirmed' || this.#awaiting !== undefined || (this.#pendingReInvite !== undefined && !this.#pendingReInvite.answered);
    if (busy) {
      tx.respond(this.#response(req, 500, { 'Retry-After': String(Math.floor(Math.random() * 10)) }));
      return;
    }
    // RFC 4028 §10: any re-INVITE or UPDATE refreshes the session.
    this.#sessionTimer?.restart();
    const sdp = req.body.length > 0 ? req.body.toString('utf8') : undefined;
    if (req.method === 'UPDATE' && sdp === undefined) {
      tx.respond(this.#response(req, 200, { Contact: this.#contact(), ...this.#timerHeaders() })); // session refresh (RFC 3311)
      return;
    }
    const pending = new PendingReInvite(
      sdp,
      (answer) => {
        if (this.#state !== 'confirmed') return;
        this.#localSdp = answer;
        const res = this.#response(req, 200, this.#answerHeaders(), answer);
        tx.respond(res);
        if (req.method === 'INVITE') this.#awaitAck(seq, res).catch(() => undefined);
      },
      (status, reason) => tx.respond(this.#response(req, status, {}, undefined, reason)),
    );
    this.#pendingReInvite = pending;
    if (this.listenerCount('reinvite') === 0) pending.reject(488, 'Not Acceptable Here');
    else this.emit('reinvite', pending);
  }

  #receiveInfo(req: SipRequest, tx: ServerTransaction): void {
    const parsed = parseInfoBody(req.headers.get('Content-Type'), req.body);
    switch (parsed.kind) {
      case 'unsupported':
        return tx.respond(this.#response(req, 415, { Accept: INFO_ACCEPT }));
      case 'invalid':
        return tx.respond(this.#response(req, 400, {}, undefined, 'Bad DTMF Body'));
      case 'ignored':
        return tx.respond(this.#response(req, 200));
      case 'dtmf':
        tx.respond(this.#response(req, 200));
        metrics.dtmfDigits.inc({ source: 'sip-info' });
        this.emit('dtmf', parsed.dtmf);
    }
  }

  /** RFC 3515 §2.4.2: a REFER is answered by the call's policy (with no listener: 403). */
  #receiveRefer(req: SipRequest, tx: ServerTransaction, seq: number): void {
    const problem = referToProblem(req);
    if (problem !== undefined) return tx.respond(this.#response(req, 400, {}, undefined, problem));
    if (this.#state !== 'confirmed' || this.listenerCount('refer') === 0) return tx.respond(this.#response(req, 403, {}, undefined, 'Forbidden'));
    const respond = (status: number, reason?: string): void => tx.respond(this.#response(req, status, status < 300 ? { Contact: this.#contact() } : {}, undefined, reason));
    const notify = (headers: Record<string, string>, body: Buffer): void => {
      if (this.#state === 'confirmed') this.#send('NOTIFY', this.#nextLocalCSeq(), { ...headers, Contact: this.#contact() }, body).catch(() => undefined);
    };
    this.emit('refer', new EmbeddedIncomingRefer(req, seq, { respond, notify }));
  }

  /** Sends a request in the dialog (§12.2.1.1) through a client transaction; its final response or undefined. */
  #send(method: string, cseq: number, headers: Record<string, string>, body?: Buffer): Promise<SipResponse | undefined> {
    const req = buildInDialogRequest(this.#routing, method, cseq, { transport: this.#source.transport, ...this.#host.sentBy(this.#source.transport) }, headers);
    if (body !== undefined) req.body = body;
    return this.#host.request(req, nextHopFor(this.#routing, this.#source));
  }

  /** A refresh re-INVITE of ours (dialog-reinvite-out.ts); meanwhile the peer's offers get 491 (§14.1). */
  async #reInvite(): Promise<SipResponse | undefined> {
    const cseq = this.#nextLocalCSeq();
    this.#reInviting = true;
    try {
      return await sendReInvite({ host: this.#host, routing: this.#routing, source: this.#source, cseq, headers: this.#answerHeaders(), localSdp: this.#localSdp });
    } finally {
      this.#reInviting = false;
    }
  }

  #awaitAck(cseq: number, res: SipResponse): Promise<string | void> {
    return new Promise<string | void>((resolve, reject) => {
      const retransmit = new Retransmit2xx({
        clock: this.#host.clock,
        response: res,
        send: (r) => this.#host.sendResponse(r, this.#source),
        onTimeout: () => {
          const waiters = this.#awaiting?.waiters ?? [];
          this.#awaiting = undefined;
          reject(new SipError(408, 'no ACK for 2xx', 'ack-timeout'));
          for (const wake of waiters) wake();
          this.emit('ack-timeout');
          void this.bye().catch((err: unknown) => this.#host.log.warn({ err }, 'sip bye after ack timeout failed'));
        },
      });
      this.#awaiting = { cseq, retransmit, resolve, reject, waiters: [] };
      retransmit.start();
    });
  }

  #nextLocalCSeq(): number {
    this.#localCSeq += 1;
    return this.#localCSeq;
  }

  #contact(): string {
    return this.#host.contact(this.#source.transport);
  }

  #answerHeaders(): Record<string, string> {
    return { Contact: this.#contact(), Allow: ALLOW, Supported: SUPPORTED, ...this.#timerHeaders() };
  }

  #timerHeaders(): Record<string, string> {
    return this.#sessionTimer === undefined ? {} : { ...sessionTimerHeaders(this.#sessionTimer.plan), Supported: 'timer' };
  }

  #response(req: SipRequest, status: number, headers: Record<string, string> = {}, sdp?: string, reason?: string): SipResponse {
    return makeResponse(req, status, {
      ...(reason !== undefined ? { reason } : {}),
      toTag: this.localTag,
      headers,
      ...(sdp !== undefined ? { body: { type: 'application/sdp', data: Buffer.from(sdp, 'utf8') } } : {}),
    });
  }

  #clearAnswerTimer(): void {
    this.#host.clock.clearTimeout(this.#answerTimer);
    this.#answerTimer = undefined;
  }

  #end(): void {
    if (this.#state === 'terminated') return;
    this.#state = 'terminated';
    this.#clearAnswerTimer();
    const awaiting = this.#awaiting;
    this.#awaiting = undefined;
    if (awaiting !== undefined) {
      awaiting.retransmit.stop();
      awaiting.resolve(); // ended before the ACK (BYE/shutdown): nothing left to wait for
      for (const wake of awaiting.waiters) wake();
    }
    // A re-INVITE still unanswered when the dialog ends gets 487 (§15.1.2).
    this.#pendingReInvite?.reject(487, 'Request Terminated');
    this.#refer?.dialogEnded();
    this.#sessionTimer?.stop();
    this.emit('ended');
    this.#host.release(this);
  }
}

export function dialogId(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}\n${localTag}\n${remoteTag}`;
}

function safeCSeq(req: SipRequest): number | undefined {
  try {
    return parseCSeq(req.headers.get('CSeq') ?? '').seq;
  } catch {
    return undefined;
  }
}
