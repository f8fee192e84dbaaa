import { EventEmitter } from 'node:events';
import { networkInterfaces } from 'node:os';
import type { Config } from '../../../config/types.ts';
import type { Logger } from '../../log.ts';
import { metrics, methodLabel } from '../../metrics.ts';
import type { Signaling, SignalingEvents } from '../dialog.ts';
import { realClock, type Clock } from './clock.ts';
import type { Endpoint, SipRequest, SipResponse, Transport } from './message.ts';
import { parseMessage, SipParseError } from './parser.ts';
import { makeResponse, serialize } from './serialize.ts';
import { validateRequest } from './validate.ts';
import { parseNameAddr } from './header-values.ts';
import { stampVia } from './via-stamp.ts';
import { TransactionTable } from './transaction-table.ts';
import { ServerInviteTransaction } from './transaction-server-invite.ts';
import type { ServerTransaction } from './transaction.ts';
import { randomToken } from './transaction-key.ts';
import { UdpTransport } from './transport-udp.ts';
import { TcpTransport } from './transport-tcp.ts';
import type { SipTransport } from './transport.ts';
import { EmbeddedDialog, dialogId, type DialogHost } from './dialog.ts';
import { buildCallInfo } from './call-info-builder.ts';
import type { RequestScreen } from './request-screen.ts';
import { negotiateSessionTimer, type SessionTimerLimits } from './session-timer.ts';
import type { SecurityConfig } from '../../../config/types.ts';
import { ALLOW, isKnownMethod, optionsHeaders } from './capabilities.ts';

export interface EmbeddedSignalingOptions {
  readonly config: Config['sip'];
  readonly log: Logger;
  readonly clock?: Clock;
  /** Name of the trunk a source address belongs to, if any. */
  readonly trunkFor?: (address: string) => string | undefined;
  /** An INVITE the call layer leaves unanswered this long gets 408 (default 32 s). */
  readonly answerTimeoutMs?: number;
  readonly tcpIdleTimeoutMs?: number;
  /** Admission of out-of-dialog requests (rate limits, scanners, digest auth; policies/admission.ts). */
  readonly screen?: RequestScreen;
  /** RFC 4028 session timers; none when absent. */
  readonly sessionTimers?: SessionTimerLimits;
  /** Message and connection limits (config `security.limits`); the parser's own defaults when absent. */
  readonly limits?: SecurityConfig['limits'];
}

type Handler = (req: SipRequest, source: Endpoint) => void;

/**
 * The embedded UAS core (RFC 3261 §8.2, §17, §12): receives over UDP and TCP, parses, matches
 * transactions and dialogs, and dispatches each request by method. A fault while handling one
 * message is caught at the boundary (`#onMessage`), logged and counted — it never reaches another
 * dialog or the process.
 */
export class EmbeddedSignaling extends EventEmitter<SignalingEvents> implements Signaling {
  readonly #opts: EmbeddedSignalingOptions;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #tx: TransactionTable;
  readonly #udp: UdpTransport;
  readonly #tcp: TcpTransport;
  readonly #dialogs = new Map<string, EmbeddedDialog>();
  /** Early dialogs by their INVITE transaction key, for CANCEL (§9.2). */
  readonly #byInvite = new Map<string, EmbeddedDialog>();
  readonly #host: DialogHost;
  readonly #host4: string;
  #accepting = true;

  /** Out-of-dialog requests by method; methods not here are answered by `#fallback`. */
  readonly #outOfDialog: Readonly<Record<string, Handler>> = {
    INVITE: (req, source) => this.#invite(req, source),
    OPTIONS: (req, source) => this.#reply(req, source, 200, { headers: optionsHeaders() }),
  };

  constructor(opts: EmbeddedSignalingOptions) {
    super();
    this.#opts = opts;
    this.#log = opts.log;
    this.#clock = opts.clock ?? realClock;
    this.#tx = new TransactionTable(this.#clock);
    const onMessage = (data: Buffer, source: Endpoint): void => this.#onMessage(data, source);
    const { bind, udpPort, tcpPort, maxMessageBytes } = opts.config;
    this.#udp = new UdpTransport({ bind, port: udpPort, log: this.#log, onMessage });
    const limits = opts.limits;
    this.#tcp = new TcpTransport({
      bind, port: tcpPort, log: this.#log, onMessage, maxMessageBytes,
      ...(limits !== undefined ? { messageTimeoutMs: limits.tcpMessageTimeoutMs, maxConnectionsPerSource: limits.tcpMaxConnectionsPerSource } : {}),
      ...(opts.tcpIdleTimeoutMs !== undefined ? { idleTimeoutMs: opts.tcpIdleTimeoutMs } : {}),
      framingErrorResponse: (err, pending) => this.#framingErrorResponse(err, pending),
    });
    this.#host4 = advertisedHost(opts.config);
    this.#host = {
      clock: this.#clock,
      log: this.#log,
      contact: (t) => `<sip:${opts.config.user}@${this.#host4}:${this.#transport(t).port}${t === 'tcp' ? ';transport=tcp' : ''}>`,
      sentBy: (t) => ({ host: this.#host4, port: this.#transport(t).port }),
      sendResponse: (res, to) => this.#send(res, to, true),
      request: (req, to) => {
        metrics.sipRequestsOut.inc({ method: methodLabel(req.method) });
        const transport = this.#transport(to.transport);
        return this.#tx.request(req, transport.reliable, (r) => transport.send(serialize(r), to));
      },
      requestInvite: (req, to, onRetransmitted2xx) => {
        metrics.sipRequestsOut.inc({ method: methodLabel(req.method) });
        const transport = this.#transport(to.transport);
        return this.#tx.requestInvite(req, transport.reliable, (r) => transport.send(serialize(r), to), onRetransmitted2xx);
      },
      sendRequest: (req, to) => {
        metrics.sipRequestsOut.inc({ method: methodLabel(req.method) });
        this.#transport(to.transport).send(serialize(req), to);
      },
      release: (d) => this.#release(d),
    };
  }

  async start(): Promise<void> {
    await this.#udp.listen();
    await this.#tcp.listen();
    this.#log.info({ udpPort: this.#udp.port, tcpPort: this.#tcp.port }, 'sip embedded uas listening');
  }

  get uris(): readonly string[] {
    const base = `sip:${this.#opts.config.user}@${this.#host4}`;
    return [`${base}:${this.#udp.port}`, `${base}:${this.#tcp.port};transport=tcp`];
  }

  /** Bound ports (after start), useful with port 0. */
  get ports(): { readonly udp: number; readonly tcp: number } {
    return { udp: this.#udp.port, tcp: this.#tcp.port };
  }

  /** Live dialogs (for tests and drain). */
  get dialogCount(): number {
    return this.#dialogs.size;
  }

  setAccepting(accepting: boolean): void {
    this.#accepting = accepting;
  }

  async close(): Promise<void> {
    this.#accepting = false;
    for (const d of [...this.#dialogs.values()]) d.destroy();
    this.#tx.terminateAll();
    await Promise.all([this.#udp.close(), this.#tcp.close()]);
  }

  #onMessage(data: Buffer, source: Endpoint): void {
    try {
      this.#receive(data, source);
    } catch (err) {
      metrics.sipDropped.inc({ reason: 'handler-error' });
      this.#log.error({ err }, 'sip message handler failed');
    }
  }

  #receive(data: Buffer, source: Endpoint): void {
    let msg;
    try {
      const l = this.#opts.limits;
      const maxBytes = source.transport === 'udp' && l !== undefined ? Math.min(l.udpMaxBytes, this.#opts.config.maxMessageBytes) : this.#opts.config.maxMessageBytes;
      msg = parseMessage(data, { transport: source.transport, maxBytes, ...(l !== undefined ? { maxHeaders: l.maxHeaders, maxLineBytes: l.maxLineBytes } : {}) });
    } catch (err) {
      const answer = this.#errorResponse(err, source);
      if (answer !== undefined) this.#transport(source.transport).send(answer, source);
      metrics.sipParseErrors.inc({ transport: source.transport, action: answer === undefined ? 'dropped' : 'answered' });
      return;
    }
    msg.source = source;
    if (msg.kind === 'response') {
      metrics.sipResponsesIn.inc({ method: methodLabel(cseqMethod(msg)), status: msg.status });
      // §18.1.2 / §17.1.3: a response that matches no client transaction is dropped.
      if (!this.#tx.receiveResponse(msg)) metrics.sipDropped.inc({ reason: 'no-transaction' });
      return;
    }
    metrics.sipRequestsIn.inc({ method: methodLabel(msg.method), transport: source.transport });
    stampVia(msg, source);
    this.#request(msg, source);
  }

  #request(req: SipRequest, source: Endpoint): void {
    if (req.method === 'ACK') return this.#ack(req);
    const existing = this.#tx.findServer(req);
    if (existing !== undefined) return existing.receiveRetransmission();
    const invalid = validateRequest(req);
    if (invalid !== undefined) {
      return this.#reply(req, source, invalid.status, { reason: invalid.reason, headers: { ...invalid.headers } });
    }
    if (req.method === 'CANCEL') return this.#cancel(req, source);
    const inDialog = toTag(req) !== undefined;
    if (!inDialog && this.#opts.screen !== undefined) {
      const verdict = this.#opts.screen(req, source);
      if (verdict.action === 'drop') return;
      if (verdict.action === 'reply') return this.#reply(req, source, verdict.status, { headers: { ...verdict.headers } });
    }
    if (!isKnownMethod(req.method)) return this.#reply(req, source, 501, { headers: { Allow: ALLOW } });
    if (inDialog) return this.#inDialog(req, source);
    const handler = this.#outOfDialog[req.method];
    if (handler !== undefined) return handler(req, source);
    // BYE, INFO, UPDATE, NOTIFY (RFC 6665 §4.1.3), REFER (RFC 3515 is in-dialog here) without a To tag
    // cannot belong to a dialog (§12.2.2); the rest we refuse (§8.2.1).
    if (['BYE', 'INFO', 'UPDATE', 'NOTIFY', 'REFER'].includes(req.method)) return this.#reply(req, source, 481);
    return this.#reply(req, source, 405, { headers: { Allow: ALLOW } });
  }

  #invite(req: SipRequest, source: Endpoint): void {
    if (!this.#accepting) return this.#reply(req, source, 503, { headers: { 'Retry-After': '30' } });
    const timer = this.#opts.sessionTimers !== undefined ? negotiateSessionTimer(req, this.#opts.sessionTimers) : undefined;
    // RFC 4028 §9: a Session-Expires below our minimum is refused with 422 naming the minimum.
    if (timer?.kind === 'too-small') return this.#reply(req, source, 422, { headers: { 'Min-SE': String(timer.minSE) } });
    const localTag = randomToken(10);
    const tx = this.#tx.createServerInvite(req, this.#transport(source.transport).reliable, this.#sender(source), makeResponse(req, 100));
    if (tx === undefined) return;
    let dialog: EmbeddedDialog;
    try {
      const info = buildCallInfo(req, source, this.#opts.trunkFor?.(source.address));
      dialog = new EmbeddedDialog({
        host: this.#host, invite: req, tx, info, localTag,
        ...(timer !== undefined ? { sessionTimer: timer } : {}),
        ...(this.#opts.answerTimeoutMs !== undefined ? { answerTimeoutMs: this.#opts.answerTimeoutMs } : {}),
      });
    } catch {
      // A From/To/Contact the dialog cannot use: answer, so the transaction does not linger in Proceeding.
      return tx.respond(makeResponse(req, 400, { toTag: localTag, reason: 'Bad Request - Unusable Dialog Headers' }));
    }
    this.#dialogs.set(dialog.id, dialog);
    this.#byInvite.set(tx.key, dialog);
    if (this.listenerCount('invite') === 0) return dialog.reject(503, 'Service Unavailable');
    try {
      this.emit('invite', dialog);
    } catch (err) {
      metrics.callErrors.inc({ stage: 'invite' });
      this.#log.error({ err }, 'sip invite listener failed');
      dialog.reject(500);
    }
  }

  #cancel(req: SipRequest, source: Endpoint): void {
    // §9.2: the CANCEL matches the INVITE transaction it names (same branch and sent-by).
    const invite = this.#tx.findServer(req, 'INVITE');
    if (invite === undefined) return this.#reply(req, source, 481);
    const dialog = this.#byInvite.get(invite.key);
    this.#reply(req, source, 200, dialog !== undefined ? { toTag: dialog.localTag } : {});
    dialog?.receiveCancel();
  }

  #ack(req: SipRequest): void {
    // ACK of a non-2xx: part of the INVITE transaction (§17.2.3); ACK of a 2xx: the dialog's (§13.3.1.4).
    const tx = this.#tx.findServer(req, 'INVITE');
    if (tx instanceof ServerInviteTransaction && tx.state === 'completed') return tx.receiveAck();
    const dialog = this.#dialogFor(req);
    if (dialog !== undefined) dialog.receiveAck(req);
    else metrics.sipDropped.inc({ reason: 'ack-no-dialog' });
  }

  #inDialog(req: SipRequest, source: Endpoint): void {
    const dialog = this.#dialogFor(req);
    if (dialog === undefined) return this.#reply(req, source, 481);
    const reliable = this.#transport(source.transport).reliable;
    const tx = req.method === 'INVITE'
      ? this.#tx.createServerInvite(req, reliable, this.#sender(source), makeResponse(req, 100))
      : this.#tx.createServerNonInvite(req, reliable, this.#sender(source));
    if (tx === undefined) return;
    try {
      dialog.receive(req, tx);
    } catch (err) {
      metrics.callErrors.inc({ stage: 'sip-in-dialog' });
      this.#log.error({ err }, 'sip in-dialog request failed');
      if (!tx.finalSent) tx.respond(makeResponse(req, 500, { toTag: dialog.localTag }));
    }
  }

  /** Answers through a fresh server transaction, so retransmissions of the request are absorbed. */
  #reply(req: SipRequest, source: Endpoint, status: number, opts: { reason?: string; headers?: Record<string, string | string[]>; toTag?: string } = {}): void {
    const res = makeResponse(req, status, { ...opts, toTag: opts.toTag ?? randomToken(10) });
    const reliable = this.#transport(source.transport).reliable;
    let tx: ServerTransaction | undefined;
    if (req.method === 'INVITE') tx = this.#tx.createServerInvite(req, reliable, this.#sender(source), makeResponse(req, 100));
    else tx = this.#tx.createServerNonInvite(req, reliable, this.#sender(source));
    if (tx !== undefined) tx.respond(res);
    else this.#send(res, source, false);
  }

  #sender(to: Endpoint): (res: SipResponse, retransmit: boolean) => void {
    return (res, retransmit) => this.#send(res, to, retransmit);
  }

  /** Responses go back to the packet source (RFC 3581 §4) over the connection it came on (§18.2.2). */
  #send(res: SipResponse, to: Endpoint, retransmit: boolean): void {
    this.#transport(to.transport).send(serialize(res), to);
    if (!retransmit) metrics.sipResponsesOut.inc({ method: methodLabel(cseqMethod(res)), status: res.status });
  }

  /** The bytes of an error response for a message that failed to parse, when one can be built. */
  #errorResponse(err: unknown, source?: Endpoint): Buffer | undefined {
    if (!(err instanceof SipParseError) || err.status === undefined || err.request === undefined) return undefined;
    const req = err.request;
    if (req.method === 'ACK') return undefined; // an ACK is never answered (§17.2.3)
    for (const name of ['Via', 'From', 'To', 'Call-ID', 'CSeq']) if (!req.headers.has(name)) return undefined;
    if (source !== undefined) stampVia(req, source);
    const res = makeResponse(req, err.status, { toTag: randomToken(10) });
    metrics.sipResponsesOut.inc({ method: methodLabel(req.method), status: err.status });
    return serialize(res);
  }

  /**
   * A TCP framing error (bad or missing Content-Length) carries no request; read the headers from the
   * unframed bytes with the datagram parser, and answer with the framing error's status.
   */
  #framingErrorResponse(err: unknown, pending: Buffer): Buffer | undefined {
    if (!(err instanceof SipParseError) || err.status === undefined) return undefined;
    if (err.request !== undefined) return this.#errorResponse(err);
    const end = pending.indexOf('\r\n\r\n');
    if (end < 0) return undefined;
    let request: SipRequest | undefined;
    try {
      const msg = parseMessage(Buffer.concat([pending.subarray(0, end), Buffer.from('\r\n\r\n')]));
      request = msg.kind === 'request' ? msg : undefined;
    } catch (e) {
      request = e instanceof SipParseError ? e.request : undefined;
    }
    return request === undefined ? undefined : this.#errorResponse(new SipParseError(err.status, err.reason, request));
  }

  #dialogFor(req: SipRequest): EmbeddedDialog | undefined {
    const local = toTag(req);
    if (local === undefined) return undefined;
    let remote: string | undefined;
    try {
      remote = parseNameAddr(req.headers.get('From') ?? '').tag;
    } catch {
      return undefined;
    }
    return this.#dialogs.get(dialogId(req.headers.get('Call-ID') ?? '', local, remote ?? ''));
  }

  #release(dialog: EmbeddedDialog): void {
    this.#dialogs.delete(dialog.id);
    for (const [key, d] of this.#byInvite) if (d === dialog) this.#byInvite.delete(key);
  }

  #transport(kind: Transport): SipTransport {
    return kind === 'tcp' ? this.#tcp : this.#udp;
  }
}

function toTag(req: SipRequest): string | undefined {
  try {
    return parseNameAddr(req.headers.get('To') ?? '').tag;
  } catch {
    return undefined;
  }
}

function cseqMethod(msg: SipRequest | SipResponse): string {
  return msg.headers.get('CSeq')?.trim().split(/\s+/)[1] ?? 'other';
}

/** The host written in Contact/Via: `advertise`, else the bind address, else (0.0.0.0) a local IPv4. */
function advertisedHost(config: Config['sip']): string {
  const raw = config.advertise ?? (config.bind === '0.0.0.0' || config.bind === '::' ? firstExternalIPv4() : config.bind);
  return raw.includes(':') && !raw.startsWith('[') ? `[${raw}]` : raw;
}

function firstExternalIPv4(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const nic of list ?? []) if (nic.family === 'IPv4' && !nic.internal) return nic.address;
  }
  return '127.0.0.1';
}
