import { EventEmitter } from 'node:events';
import type { SrfApp, SrfDialog, SrfRequest, SrfResponse, SrfSendOpts } from '../../../../../gateway/sip/drachtio/drachtio-wire.ts';

/**
 * A stand-in for drachtio-srf 5 that behaves as the real one was seen to (reference page): req has
 * no callId/from/to/sdp properties, only get()/getParsedHeader()/body; createUAS resolves when the
 * 200 is sent and the ACK comes later as a dialog event; shortcuts like dialog.refer() throw.
 */
export class FakeRes implements SrfResponse {
  finalResponseSent = false;
  readonly sent: { status: number; opts?: SrfSendOpts | string }[] = [];
  send(status: number, reason?: string | SrfSendOpts, opts?: SrfSendOpts): void {
    this.sent.push({ status, opts: opts ?? reason });
    if (status >= 200) this.finalResponseSent = true;
  }
}

export function fakeReq(headers: Record<string, string> = {}, body = 'v=0\r\n'): SrfRequest {
  const h: Record<string, string> = { 'Call-ID': 'abc@1', From: '<sip:+15550100@10.0.0.1>;tag=1', To: '<sip:+15550199@10.0.0.2>', 'X-Ivr-Context': 'billing', ...headers };
  const req = Object.assign(new EventEmitter(), {
    method: 'INVITE',
    uri: 'sip:+15550199@10.0.0.2',
    body,
    source_address: '127.0.0.1',
    source_port: 5062,
    protocol: 'udp',
    headers: h,
    get: (n: string) => h[n],
    has: (n: string) => n in h,
    getParsedHeader: (n: string) => ({ uri: (h[n] ?? '').replace(/^<([^>]*)>.*$/, '$1') }),
  });
  return req as unknown as SrfRequest;
}

export class FakeDialog extends EventEmitter implements SrfDialog {
  readonly id = 'abc@1;from-tag=1';
  readonly requests: { method: string; headers?: Record<string, string>; body?: string }[] = [];
  destroyed = false;
  referStatus = 202;
  request(opts: { method: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number }> {
    this.requests.push(opts);
    return Promise.resolve({ status: opts.method === 'REFER' ? this.referStatus : 200 });
  }
  destroy(): Promise<unknown> {
    this.destroyed = true;
    return Promise.resolve();
  }
  refer(): never {
    throw new TypeError('this.request is not a function');
  }
}

export class FakeSrf extends EventEmitter implements SrfApp {
  inviteFn: ((req: SrfRequest, res: SrfResponse) => void) | undefined;
  optionsFn: ((req: SrfRequest, res: SrfResponse) => void) | undefined;
  readonly dialogs: FakeDialog[] = [];
  connect(): void {
    setImmediate(() => this.emit('connect', null, 'tcp/127.0.0.1:5080,udp/127.0.0.1:5080', '1.0.0'));
  }
  disconnect(): void {}
  invite(fn: (req: SrfRequest, res: SrfResponse) => void): void {
    this.inviteFn = fn;
  }
  options(fn: (req: SrfRequest, res: SrfResponse) => void): void {
    this.optionsFn = fn;
  }
  /** The localSdp of each createUAS, i.e. the body of our 200. */
  readonly uasSdps: string[] = [];
  createUAS(_req: SrfRequest, res: SrfResponse, opts?: { localSdp: string }): Promise<SrfDialog> {
    if (opts) this.uasSdps.push(opts.localSdp);
    res.send(200);
    const d = new FakeDialog();
    this.dialogs.push(d);
    return Promise.resolve(d);
  }
}
