/**
 * Serialising messages and building the ones the UAS originates.
 *
 *   Request:  METHOD SP Request-URI SP SIP/2.0 CRLF      Response: SIP/2.0 SP code SP reason CRLF
 *             Name: value CRLF   (one line per value, long names, §7.3.3 compact forms never sent)
 *             Content-Length: <octets of body> CRLF      (always written, from the body itself)
 *             CRLF
 *             body
 */
import { randomBytes } from 'node:crypto';
import type { SipMessage, SipRequest, SipResponse, Via } from './message.ts';
import { Headers } from './headers.ts';
import { formatVia, parseNameAddr } from './header-values.ts';
import { reasonPhrase } from './reason-phrases.ts';

export { reasonPhrase } from './reason-phrases.ts';

export interface MessageBody {
  readonly type: string;
  readonly data: Buffer;
}

/** CR or LF inside a value would let a caller-supplied string inject headers; fold them to SP. */
function clean(s: string): string {
  return /[\r\n]/.test(s) ? s.replace(/[\r\n]+/g, ' ') : s;
}

export function serialize(msg: SipMessage): Buffer {
  let head = msg.kind === 'request'
    ? `${msg.method} ${clean(msg.uri)} ${msg.version}\r\n`
    : `${msg.version} ${msg.status} ${clean(msg.reason)}\r\n`;
  for (const [name, values] of msg.headers.entries()) {
    if (name === 'Content-Length') continue;
    for (const v of values) head += v === '' ? `${name}:\r\n` : `${name}: ${clean(v)}\r\n`;
  }
  // §18.3 / §20.14: Content-Length is always sent and always computed from the body actually sent.
  head += `Content-Length: ${msg.body.length}\r\n\r\n`;
  const headBuf = Buffer.from(head, 'utf8');
  return msg.body.length === 0 ? headBuf : Buffer.concat([headBuf, msg.body]);
}

export interface ResponseOptions {
  reason?: string;
  /** Added to To only when the request's To has no tag yet, and never on 100 (§8.2.6.2). */
  toTag?: string;
  headers?: Record<string, string | string[]>;
  body?: MessageBody;
}

/** The tag of a To/From value, or undefined when absent or unreadable. */
function tagOf(value: string): string | undefined {
  try {
    return parseNameAddr(value).tag;
  } catch {
    return undefined;
  }
}

/**
 * A response to `req` per RFC 3261 §8.2.6: same Via values in the same order, From, To, Call-ID
 * and CSeq copied; Timestamp echoed on 100 Trying (§8.2.6.1).
 */
export function makeResponse(req: SipRequest, status: number, opts: ResponseOptions = {}): SipResponse {
  const h = new Headers();
  const rh = req.headers;
  for (const name of ['Via', 'From', 'To', 'Call-ID', 'CSeq']) {
    const vs = rh.getAll(name);
    if (vs.length > 0) h.set(name, vs);
  }
  const to = rh.get('To');
  if (to !== undefined && status !== 100 && opts.toTag !== undefined && tagOf(to) === undefined) {
    h.set('To', `${to};tag=${opts.toTag}`);
  }
  if (status === 100 && rh.has('Timestamp')) h.set('Timestamp', rh.getAll('Timestamp'));
  for (const [n, v] of Object.entries(opts.headers ?? {})) h.set(n, v);
  let body: Buffer = Buffer.alloc(0);
  if (opts.body) {
    h.set('Content-Type', opts.body.type);
    body = opts.body.data;
  }
  return { kind: 'response', status, reason: opts.reason ?? reasonPhrase(status), version: 'SIP/2.0', headers: h, body };
}

/** A new branch with the RFC 3261 magic cookie (§8.1.1.7). */
export function newBranch(): string {
  return `z9hG4bK${randomBytes(10).toString('hex')}`;
}

export interface RequestSpec {
  method: string;
  uri: string;
  /** Our own Via: sent-by and transport; a fresh branch is made when none is given. */
  via: { transport: string; host: string; port?: number; branch?: string; rport?: boolean };
  from: string;
  to: string;
  callId: string;
  cseq: number;
  /** Defaults to 70 (§8.1.1.6). */
  maxForwards?: number;
  contact?: string;
  /** Route set, in order (§12.2.1.1). */
  route?: readonly string[];
  headers?: Record<string, string | string[]>;
  body?: MessageBody;
}

/** A request we originate (in-dialog BYE, re-INVITE, INFO, NOTIFY…), headers in §8.1.1 order. */
export function makeRequest(spec: RequestSpec): SipRequest {
  const t = spec.via.transport.toUpperCase();
  const via: Via = {
    protocol: `SIP/2.0/${t}`, transport: t, host: spec.via.host, port: spec.via.port,
    branch: spec.via.branch ?? newBranch(), rport: spec.via.rport ?? false, params: new Map(),
  };
  const h = new Headers();
  h.set('Via', formatVia(via));
  h.set('Max-Forwards', String(spec.maxForwards ?? 70));
  if (spec.route && spec.route.length > 0) h.set('Route', [...spec.route]);
  h.set('From', spec.from);
  h.set('To', spec.to);
  h.set('Call-ID', spec.callId);
  h.set('CSeq', `${spec.cseq} ${spec.method}`);
  if (spec.contact !== undefined) h.set('Contact', spec.contact);
  for (const [n, v] of Object.entries(spec.headers ?? {})) h.set(n, v);
  let body: Buffer = Buffer.alloc(0);
  if (spec.body) {
    h.set('Content-Type', spec.body.type);
    body = spec.body.data;
  }
  return { kind: 'request', method: spec.method, uri: spec.uri, version: 'SIP/2.0', headers: h, body };
}
