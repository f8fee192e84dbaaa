import { EventEmitter } from 'node:events';
import { SipError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { metrics } from '../../metrics.ts';
import type { CallInfo } from '../call-info.ts';
import type { IncomingRefer, ReferOptions, ReferOutcome, SipDialog, SipDialogEvents } from '../dialog.ts';
import { SIPFRAG_TYPE } from '../embedded/sipfrag.ts';
import { parseInfoBody } from '../embedded/info-dtmf.ts';
import { sendRefer } from './drachtio-refer.ts';
import type { SrfApp, SrfDialog, SrfRequest, SrfResponse } from './drachtio-wire.ts';

/** RFC 3261 §17.2.1 Timer H = 64·T1: how long a 2xx waits for its ACK. */
const ACK_TIMEOUT_MS = 32_000;

/**
 * One call on drachtio-srf, behind the same interface as the embedded UAS. The traps it handles:
 * `createUAS` resolves when the 200 is sent, so `answer()` waits for the dialog's `ack` itself;
 * unlistened INFO/REFER/NOTIFY would be answered 200 by drachtio-srf, so every one is listened to
 * and answered on purpose (an unwanted REFER gets 403, like the embedded stack).
 */
export class DrachtioDialog extends EventEmitter<SipDialogEvents> implements SipDialog {
  readonly backend = 'drachtio' as const;
  readonly offer: string;
  state: SipDialog['state'] = 'early';
  readonly #srf: SrfApp;
  readonly #req: SrfRequest;
  readonly #res: SrfResponse;
  readonly #log: Logger;
  #dialog: SrfDialog | undefined;
  #ended = false;

  constructor(srf: SrfApp, req: SrfRequest, res: SrfResponse, readonly info: CallInfo, log: Logger) {
    super();
    this.#srf = srf;
    this.#req = req;
    this.#res = res;
    this.#log = log;
    this.offer = req.body ?? '';
    req.on('cancel', () => {
      if (this.state !== 'early') return;
      this.emit('cancel');
      this.#end();
    });
  }

  progress(status: 180 | 183, sdp?: string): void {
    if (this.state !== 'early' || this.#res.finalResponseSent) return;
    this.#res.send(status, sdp ? { body: sdp, headers: { 'Content-Type': 'application/sdp' } } : {});
  }

  async answer(sdp: string): Promise<string | void> {
    if (this.state !== 'early') throw new SipError(481, 'dialog is not early');
    let dialog: SrfDialog;
    try {
      dialog = await this.#srf.createUAS(this.#req, this.#res, { localSdp: sdp });
    } catch (err) {
      // 487: CANCEL won the race; the cancel event has ended the dialog.
      this.#end();
      throw new SipError(Number((err as { status?: number }).status) || 500, 'answer failed');
    }
    this.#dialog = dialog;
    this.#wire(dialog);
    // drachtio-srf's dialog emits 'ack' with the ACK request: its body is the caller's answer when
    // our 200 carried the offer (offer-less INVITE, RFC 3261 §13.2.1).
    return new Promise<string | void>((resolve, reject) => {
      const t = setTimeout(() => {
        this.emit('ack-timeout');
        dialog.destroy().catch(() => undefined);
        this.#end();
        reject(new SipError(408, 'no ACK for 2xx', 'ack-timeout'));
      }, ACK_TIMEOUT_MS);
      dialog.once('ack', (ack?: SrfRequest) => {
        clearTimeout(t);
        if (this.state === 'early') this.state = 'confirmed';
        resolve(ack?.body || undefined);
      });
      dialog.once('destroy', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  reject(status: number, reason?: string, headers?: Readonly<Record<string, string>>): void {
    if (this.state !== 'early' || this.#res.finalResponseSent) return;
    this.#res.send(status, reason ?? '', { headers: { ...(headers ?? {}) } });
    this.#end();
  }

  async bye(headers?: Readonly<Record<string, string>>): Promise<void> {
    const d = this.#dialog;
    if (!d || this.state === 'terminated') return;
    this.#end();
    await d.destroy({ headers: { ...(headers ?? {}) } }).catch((err: unknown) => this.#log.debug({ err }, 'drachtio bye failed'));
  }

  refer(target: string, opts: ReferOptions = {}): Promise<ReferOutcome> {
    const d = this.#dialog;
    if (!d || this.state !== 'confirmed') return Promise.resolve({ ok: false, stage: 'ended' });
    return sendRefer(d, target, opts, () => this.state === 'terminated');
  }

  /** drachtio-server went away: the dialog cannot be signalled any more. */
  lost(): void {
    if (!this.#ended) this.emit('lost');
    this.#end();
  }

  #wire(d: SrfDialog): void {
    d.on('destroy', () => {
      if (this.state === 'terminated') return;
      this.emit('bye');
      this.#end();
    });
    d.on('modify', (req: SrfRequest, res: SrfResponse) => {
      if (this.listenerCount('reinvite') === 0) return res.send(488);
      this.emit('reinvite', {
        sdp: req.body || undefined,
        accept: (sdp) => res.send(200, { body: sdp, headers: { 'Content-Type': 'application/sdp' } }),
        reject: (status, reason) => res.send(status, reason ?? ''),
      });
    });
    d.on('info', (req: SrfRequest, res: SrfResponse) => {
      const body = parseInfoBody(req.get('Content-Type'), Buffer.from(req.body ?? '', 'latin1'));
      if (body.kind === 'unsupported') return res.send(415, { headers: { Accept: 'application/dtmf-relay, application/dtmf' } });
      if (body.kind === 'invalid') return res.send(400);
      res.send(200);
      if (body.kind === 'dtmf') this.emit('dtmf', body.dtmf);
    });
    d.on('refer', (req: SrfRequest, res: SrfResponse) => this.#incomingRefer(d, req, res));
    d.on('options', (_req: SrfRequest, res: SrfResponse) => res.send(200));
    // Our own REFER's NOTIFYs are handled by sendRefer; any other NOTIFY is answered here, not auto-200'd blindly.
    d.on('notify', (_req: SrfRequest, res: SrfResponse) => {
      if (!res.finalResponseSent && d.listenerCount('notify') === 1) res.send(481);
    });
  }

  #incomingRefer(d: SrfDialog, req: SrfRequest, res: SrfResponse): void {
    const target = req.get('Refer-To') ?? '';
    if (this.listenerCount('refer') === 0 || !target) {
      res.send(target ? 403 : 400);
      return;
    }
    const notify = (status: number, reason: string, final: boolean): void => {
      d.request({
        method: 'NOTIFY',
        headers: { Event: 'refer', 'Subscription-State': final ? 'terminated;reason=noresource' : 'active;expires=60', 'Content-Type': SIPFRAG_TYPE },
        body: `SIP/2.0 ${status} ${reason}\r\n`,
      }).catch(() => metrics.callErrors.inc({ stage: 'refer-notify' }));
    };
    const refer: IncomingRefer = {
      target: target.replace(/^<|>$/g, ''),
      referredBy: req.get('Referred-By'),
      accept: () => {
        res.send(202);
        notify(100, 'Trying', false);
      },
      reject: (status, reason) => res.send(status, reason ?? ''),
      finish: (status, reason) => notify(status, reason ?? (status < 300 ? 'OK' : 'Failed'), true),
    };
    this.emit('refer', refer);
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.state = 'terminated';
    this.emit('ended');
  }
}
