/**
 * Datagram / framed-message parser (RFC 3261 §7, §18.3; RFC 4475 torture cases).
 *
 *   start-line CRLF *( header-name HCOLON value CRLF ) CRLF [ body ]
 *
 * The header section is split once on CRLF, folded lines (CRLF followed by SP/HT, §7.3.1) are
 * joined with a single SP, and the body is framed purely by octet counts on the Buffer, never by
 * scanning it — bodies may hold NUL and bare CR (RFC 4475 §3.1.1.11). Every failure is a
 * SipParseError: with a status and the readable part of the request when a UAS can answer, with
 * no status when the message must be dropped (responses, or no recognisable start line).
 */
import type { SipMessage, SipRequest, SipResponse, Transport } from './message.ts';
import { Headers } from './headers.ts';
import { isToken, isWs, trimWs } from './lexer.ts';
import { SipParseError } from './parse-error.ts';
import { checkHeaderValues, checkRequestUri } from './message-checks.ts';

export { SipParseError } from './parse-error.ts';

export interface ParseOptions {
  /** 'tcp' (or any stream): Content-Length is mandatory (§18.3). Default 'udp'. */
  transport?: Transport;
  /** Messages longer than this are refused with 513 Message Too Large (§21.5.14). */
  maxBytes?: number;
  /** Most header fields (folded lines count once); more is refused with 513 (Kamailio sanity style). */
  maxHeaders?: number;
  /** Longest header field after unfolding; longer is refused with 513. */
  maxLineBytes?: number;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
const VERSION = /^SIP\/[0-9]+\.[0-9]+$/i;

interface StartLine {
  kind: 'request' | 'response';
  method: string;
  uri: string;
  status: number;
  reason: string;
  version: string;
  error: { status: number; reason: string } | undefined;
}

export function parseMessage(buf: Buffer, opts: ParseOptions = {}): SipMessage {
  try {
    return parse(buf, opts);
  } catch (e) {
    if (e instanceof SipParseError) throw e;
    // A bug in here must never escape as anything else: drop the message, the caller counts it.
    throw new SipParseError(undefined, 'internal parser error');
  }
}

function parse(buf: Buffer, opts: ParseOptions): SipMessage {
  // §7.5: CRLFs before the start line are ignored (stream keep-alives, RFC 5626 §3.5.1).
  let start = 0;
  while (buf[start] === 13 && buf[start + 1] === 10) start += 2;
  const headEnd = buf.indexOf(CRLFCRLF, start);
  const head = buf.toString('utf8', start, headEnd < 0 ? buf.length : headEnd);
  const lines = head.split('\r\n');
  if (headEnd < 0 && lines[lines.length - 1] === '') lines.pop();

  const sl = parseStartLine(lines[0] ?? '');
  if (!sl) throw new SipParseError(undefined, 'no SIP start line');
  const headers = new Headers();
  let error: { status: number; reason: string } | undefined = sl.error;
  // §21.4.12: a Request-URI longer than we will read.
  if (sl.kind === 'request' && (lines[0] ?? '').length > (opts.maxLineBytes ?? Infinity)) error ??= { status: 414, reason: 'Request-URI Too Long' };
  const fail = (status: number, reason: string): void => {
    error ??= { status, reason };
  };

  let current: string | undefined;
  let fields = 0;
  const maxLine = opts.maxLineBytes ?? Infinity;
  const flush = (): void => {
    if (current === undefined) return;
    // Limits on hostile input: refuse before the value is parsed or stored.
    fields++;
    if (fields > (opts.maxHeaders ?? Infinity)) {
      fail(513, 'Message Too Large - too many header fields');
      current = undefined;
      return;
    }
    if (current.length > maxLine) {
      fail(513, 'Message Too Large - header field too long');
      current = undefined;
      return;
    }
    const colon = current.indexOf(':');
    const name = colon < 0 ? '' : trimWs(current.slice(0, colon));
    if (!isToken(name)) fail(400, 'malformed header line');
    else headers.append(name, trimWs(current.slice(colon + 1)));
    current = undefined;
  };
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n]!;
    if (line.includes('\r') || line.includes('\n')) fail(400, 'bare CR or LF in header section');
    if (isWs(line[0])) {
      // §7.3.1 line folding: the continuation is part of the previous header's value.
      if (current === undefined) fail(400, 'continuation line without a header');
      else current += ' ' + trimWs(line);
    } else {
      flush();
      current = line;
    }
  }
  flush();

  let body: Buffer = Buffer.alloc(0);
  if (headEnd < 0) {
    fail(400, 'missing empty line after the header section');
  } else {
    const bodyStart = headEnd + 4;
    const available = buf.length - bodyStart;
    const cl = contentLength(headers.getAll('Content-Length'));
    if (cl === 'bad') fail(400, 'invalid Content-Length');
    else if (cl === undefined) {
      // §18.3: on UDP a missing Content-Length means the body runs to the end of the datagram.
      if (opts.transport === 'tcp') fail(400, 'missing Content-Length on a stream transport');
      else body = buf.subarray(bodyStart);
    } else if (cl > available) {
      fail(400, 'Content-Length larger than the message');
      body = buf.subarray(bodyStart);
    } else {
      // §18.3: octets beyond Content-Length in a datagram are discarded (RFC 4475 §3.1.1.8).
      body = buf.subarray(bodyStart, bodyStart + cl);
    }
    if (opts.maxBytes !== undefined && bodyStart + body.length > opts.maxBytes) fail(513, 'Message Too Large');
  }
  if (opts.maxBytes !== undefined && headEnd < 0 && buf.length > opts.maxBytes) fail(513, 'Message Too Large');

  if (sl.kind === 'response') {
    if (error) throw new SipParseError(undefined, error.reason);
    const problem = checkHeaderValues(headers, false);
    if (problem) throw new SipParseError(undefined, problem);
    const res: SipResponse = { kind: 'response', status: sl.status, reason: sl.reason, version: sl.version, headers, body };
    return res;
  }
  const req: SipRequest = { kind: 'request', method: sl.method, uri: sl.uri, version: sl.version, headers, body };
  if (!error) {
    const problem = checkRequestUri(sl.uri) ?? checkHeaderValues(headers, true);
    if (problem) fail(400, problem);
  }
  if (error) throw new SipParseError(error.status, error.reason, req);
  return req;
}

/**
 * Request-Line = Method SP Request-URI SP SIP-Version; Status-Line = SIP-Version SP Status-Code SP Reason-Phrase.
 * Exactly one SP between elements: RFC 4475 §3.1.2.9 allows rejecting extra SP; trailing SP/HT on
 * the line are tolerated (§3.1.2.10 allows either). Returns undefined when nothing can be answered.
 */
function parseStartLine(raw: string): StartLine | undefined {
  let end = raw.length;
  while (end > 0 && isWs(raw[end - 1])) end--;
  const line = raw.slice(0, end);
  const sp1 = line.indexOf(' ');
  if (sp1 < 0) return undefined;
  if (/^SIP\//i.test(line)) {
    const version = line.slice(0, sp1);
    const code = line.slice(sp1 + 1, sp1 + 4);
    const after = line[sp1 + 4];
    // Status-Code = 3DIGIT in 100..699; anything else (RFC 4475 §3.1.2.19 bigcode) is dropped.
    if (!/^[1-6][0-9][0-9]$/.test(code) || (after !== undefined && after !== ' ')) return undefined;
    if (version.toUpperCase() !== 'SIP/2.0') return undefined;
    return { kind: 'response', method: '', uri: '', status: Number(code), reason: line.slice(sp1 + 5), version: 'SIP/2.0', error: undefined };
  }
  const sp2 = line.lastIndexOf(' ');
  if (sp2 === sp1) return undefined;
  const method = line.slice(0, sp1);
  const uri = line.slice(sp1 + 1, sp2);
  const version = line.slice(sp2 + 1);
  let error: StartLine['error'];
  if (!VERSION.test(version)) error = { status: 400, reason: 'malformed SIP version' };
  else if (version.toUpperCase() !== 'SIP/2.0') error = { status: 505, reason: 'Version Not Supported' };
  else if (!isToken(method)) error = { status: 400, reason: 'malformed method' };
  return { kind: 'request', method, uri, status: 0, reason: '', version: version.toUpperCase(), error };
}

/** All Content-Length values must be 1*DIGIT and agree (RFC 4475 §3.1.2.3 ncl, §3.3.9 mcl01). */
function contentLength(values: string[]): number | 'bad' | undefined {
  let result: number | undefined;
  for (const v of values) {
    if (!/^[0-9]+$/.test(v)) return 'bad';
    const digits = v.replace(/^0+(?=[0-9])/, '');
    // Anything over 9 digits exceeds every datagram and every cap; keep it finite and comparable.
    const n = digits.length > 9 ? Number.MAX_SAFE_INTEGER : Number(digits);
    if (result !== undefined && result !== n) return 'bad';
    result = n;
  }
  return result;
}
