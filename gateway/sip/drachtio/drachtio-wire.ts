/**
 * What drachtio-srf 5 objects really hold at run time (checked against a live drachtio-server, see
 * ../shared/reference/drachtio-freeswitch.md). Its shipped TypeScript types lie — `req.callId`,
 * `req.from`, `req.to`, `req.sdp` are `undefined` — so this adapter declares only what exists and
 * reads headers with `get()`/`getParsedHeader()` and the SDP from `body`.
 */
import type { EventEmitter } from 'node:events';

export interface SrfRequest extends EventEmitter {
  readonly method: string;
  readonly uri: string;
  readonly body: string | undefined;
  readonly source_address: string;
  readonly source_port: number | string;
  readonly protocol: string;
  get(name: string): string | undefined;
  has(name: string): boolean;
  getParsedHeader(name: string): { name?: string; uri: string } | undefined;
  readonly headers: Record<string, string>;
}

export interface SrfResponse {
  readonly finalResponseSent: boolean;
  send(status: number, reason?: string | SrfSendOpts, opts?: SrfSendOpts): void;
}

export interface SrfSendOpts {
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** A response to a request we sent inside a dialog (`dialog.request()`). */
export interface SrfResponseIn {
  readonly status: number;
}

export interface SrfDialog extends EventEmitter {
  readonly id: string;
  /**
   * Sends a request in the dialog. The shortcuts (`dialog.refer()`, `dialog.info()`…) throw
   * "this.request is not a function" in 5.x: always go through `request()`.
   */
  request(opts: { method: string; headers?: Record<string, string>; body?: string }): Promise<SrfResponseIn>;
  destroy(opts?: { headers?: Record<string, string> }): Promise<unknown>;
}

export interface SrfConnectOpts {
  readonly host: string;
  readonly port: number;
  readonly secret: string;
}

export interface SrfApp extends EventEmitter {
  connect(opts: SrfConnectOpts): void;
  disconnect(): void;
  invite(fn: (req: SrfRequest, res: SrfResponse) => void): void;
  options(fn: (req: SrfRequest, res: SrfResponse) => void): void;
  /** Resolves when the 200 is *sent* (not on ACK); rejects with status 487 when CANCEL came first. */
  createUAS(req: SrfRequest, res: SrfResponse, opts: { localSdp: string; headers?: Record<string, string> }): Promise<SrfDialog>;
}
