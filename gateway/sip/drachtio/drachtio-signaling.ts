import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { Admission, AdmissionInput } from '../../../policies/admission.ts';
import type { Logger } from '../../log.ts';
import { metrics } from '../../metrics.ts';
import type { Signaling, SignalingEvents } from '../dialog.ts';
import { drachtioAdmissionInput, refuse } from './drachtio-admission.ts';
import { drachtioCallInfo } from './drachtio-call-info.ts';
import { DrachtioDialog } from './drachtio-dialog.ts';
import type { SrfApp, SrfRequest, SrfResponse } from './drachtio-wire.ts';

export interface DrachtioOptions {
  readonly host: string;
  readonly port: number;
  /** From the environment only (config names the variable). */
  readonly secret: string;
  readonly user: string;
  readonly trunkFor: (address: string) => string | undefined;
  readonly log: Logger;
  /** How long `start()` waits for the first connection. */
  readonly connectTimeoutMs?: number;
  /** False while no media server can take a call (FreeSWITCH pool empty): INVITEs get 503 at once. */
  readonly mediaReady?: () => boolean;
  /** Issue 8 admission (rate limits, scanners, call limits) of each INVITE and OPTIONS; none admits everything. */
  readonly admit?: (input: AdmissionInput) => Admission;
  /** Tests inject a fake; production builds drachtio-srf's `Srf`. */
  readonly srf?: SrfApp;
}

/**
 * The drachtio backend: drachtio-srf 5 in connect mode (our process dials drachtio-server's admin
 * port). drachtio-srf reconnects by itself; while the link is down drachtio-server answers new
 * INVITEs 503 (no app connected), and the dialogs of that link are ended here, since their
 * signalling is gone. OPTIONS are answered 200 (without a handler the server would say 503).
 */
export class DrachtioSignaling extends EventEmitter<SignalingEvents> implements Signaling {
  readonly #o: DrachtioOptions;
  readonly #srf: SrfApp;
  readonly #dialogs = new Set<DrachtioDialog>();
  #accepting = true;
  #uris: string[] = [];
  #connected = false;

  constructor(opts: DrachtioOptions) {
    super();
    this.#o = opts;
    this.#srf = opts.srf ?? newSrf();
  }

  /** The drachtio-srf app (drachtio-fsmrf sends its INVITEs to FreeSWITCH through it). */
  get srf(): SrfApp {
    return this.#srf;
  }

  get uris(): readonly string[] {
    return this.#uris;
  }

  async start(): Promise<void> {
    const srf = this.#srf;
    const log = this.#o.log;
    // An unlistened 'error' would throw out of the event loop.
    srf.on('error', (err: Error) => {
      log.warn({ err: err.message }, 'drachtio connection error');
      this.#lost();
    });
    srf.on('reconnecting', () => {
      metrics.drachtioReconnects.inc();
      this.#lost();
    });
    srf.invite((req, res) => this.#onInvite(req, res));
    srf.options((req, res) => this.#onOptions(req, res));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('drachtio-server did not accept the connection')), this.#o.connectTimeoutMs ?? 10_000);
      srf.on('connect', (err: Error | null, hostport?: string) => {
        if (err) {
          log.error({ err: err.message }, 'drachtio-server refused the connection');
          return;
        }
        this.#connected = true;
        metrics.drachtioConnected.set(1);
        this.#uris = urisOf(hostport ?? '', this.#o.user);
        log.info({ hostport }, 'connected to drachtio-server');
        clearTimeout(t);
        resolve();
      });
      srf.connect({ host: this.#o.host, port: this.#o.port, secret: this.#o.secret });
    });
  }

  setAccepting(accepting: boolean): void {
    this.#accepting = accepting;
  }

  async close(): Promise<void> {
    this.#accepting = false;
    this.#srf.disconnect();
    metrics.drachtioConnected.set(0);
  }

  #onInvite(req: SrfRequest, res: SrfResponse): void {
    metrics.sipRequestsIn.inc({ method: 'INVITE', transport: String(req.protocol ?? 'udp').toLowerCase() });
    const trunk = this.#o.trunkFor(req.source_address);
    // Screened first, as the embedded UAS does, before any dialog or call exists (drachtio-admission.ts).
    const verdict = this.#o.admit?.(drachtioAdmissionInput(req, trunk));
    if (verdict !== undefined && verdict.action !== 'pass') return refuse(req, res, verdict);
    if (!this.#accepting || this.listenerCount('invite') === 0 || this.#o.mediaReady?.() === false) {
      res.send(503, { headers: { 'Retry-After': '30' } });
      return;
    }
    const info = drachtioCallInfo(req, trunk);
    const dialog = new DrachtioDialog(this.#srf, req, res, info, this.#o.log);
    this.#dialogs.add(dialog);
    dialog.once('ended', () => this.#dialogs.delete(dialog));
    this.emit('invite', dialog);
  }

  /** Screened like the embedded UAS screens any out-of-dialog request: a scanner's probe gets no answer. */
  #onOptions(req: SrfRequest, res: SrfResponse): void {
    metrics.sipRequestsIn.inc({ method: 'OPTIONS', transport: String(req.protocol ?? 'udp').toLowerCase() });
    const verdict = this.#o.admit?.(drachtioAdmissionInput(req, this.#o.trunkFor(req.source_address)));
    if (verdict !== undefined && verdict.action !== 'pass') return refuse(req, res, verdict);
    res.send(200, { headers: { Allow: 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY' } });
  }

  #lost(): void {
    if (!this.#connected) return;
    this.#connected = false;
    metrics.drachtioConnected.set(0);
    for (const d of [...this.#dialogs]) d.lost();
  }
}

/** `tcp/127.0.0.1:5080,udp/127.0.0.1:5080` → `sip:user@127.0.0.1:5080;transport=tcp`, … */
export function urisOf(hostport: string, user: string): string[] {
  return hostport
    .split(',')
    .map((s) => /^(\w+)\/(.+)$/.exec(s.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `sip:${user}@${m[2]};transport=${m[1]!.toLowerCase()}`);
}

function newSrf(): SrfApp {
  // drachtio-srf is CommonJS with a default-export class; its own types are not used (they lie).
  const Srf = createRequire(import.meta.url)('drachtio-srf') as new () => SrfApp;
  return new Srf();
}
