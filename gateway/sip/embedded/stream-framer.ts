/**
 * Frames SIP messages on a byte stream (TCP) by Content-Length (RFC 3261 §18.3: mandatory on
 * streams). A pure core: bytes in, whole messages out; the transport owns the socket and closes it
 * when `push` throws (framing cannot be recovered after a bad Content-Length, RFC 4475 §3.1.2.3).
 *
 *   stream:  [CRLF…]  start-line…CRLF CRLF  <Content-Length octets>  [CRLF CRLF]  start-line…
 *            keep-alive  └──── header section ─┘ └────── body ──────┘  ping        next message
 *
 * CRLFs between messages are skipped (§7.5); a double CRLF is an RFC 5626 §3.5.1 keep-alive ping,
 * reported through `onPing` so the transport can answer with a single CRLF pong.
 */
import { SipParseError } from './parse-error.ts';

export interface StreamFramerOptions {
  /** Largest whole message accepted; a bigger Content-Length is refused with 413. */
  maxMessageBytes: number;
  /** Largest header section; defaults to maxMessageBytes. Exceeding it is refused with 513. */
  maxHeaderBytes?: number;
  /** Called for each RFC 5626 double-CRLF ping. */
  onPing?: () => void;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');

export class StreamFramer {
  readonly #maxMessage: number;
  readonly #maxHeader: number;
  readonly #onPing: (() => void) | undefined;
  #buf: Buffer = Buffer.alloc(0);
  /** Where the next CRLFCRLF search starts, so trickled headers are scanned once overall. */
  #scanFrom = 0;
  /** Total length of the message being collected, once its header section is known. */
  #need: number | undefined;
  #failed: SipParseError | undefined;

  constructor(opts: StreamFramerOptions) {
    this.#maxMessage = opts.maxMessageBytes;
    this.#maxHeader = Math.min(opts.maxHeaderBytes ?? opts.maxMessageBytes, opts.maxMessageBytes);
    this.#onPing = opts.onPing;
  }

  /** Bytes received but not yet returned as a message (the transport bounds how long they may wait). */
  get pendingBytes(): number {
    return this.#buf.length;
  }

  /** Feeds bytes; returns every message completed by them. Throws SipParseError on a framing error. */
  push(chunk: Buffer): Buffer[] {
    if (this.#failed) throw this.#failed;
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const out: Buffer[] = [];
    try {
      while (this.#step(out));
    } catch (e) {
      this.#failed = e instanceof SipParseError ? e : new SipParseError(400, 'framing error');
      throw this.#failed;
    }
    return out;
  }

  /** One framing step; true when it made progress and another may follow. */
  #step(out: Buffer[]): boolean {
    if (this.#need === undefined) {
      if (!this.#skipKeepAlives()) return false;
      const buf = this.#buf;
      const idx = buf.indexOf(CRLFCRLF, Math.max(0, this.#scanFrom - 3));
      if (idx < 0) {
        if (buf.length > this.#maxHeader) throw new SipParseError(513, 'header section too large');
        this.#scanFrom = buf.length;
        return false;
      }
      const headerLen = idx + 4;
      if (headerLen > this.#maxHeader) throw new SipParseError(513, 'header section too large');
      const total = headerLen + streamContentLength(buf.toString('latin1', 0, idx));
      if (total > this.#maxMessage) throw new SipParseError(413, 'message larger than the limit');
      this.#need = total;
    }
    if (this.#buf.length < this.#need) return false;
    out.push(this.#buf.subarray(0, this.#need));
    this.#buf = this.#buf.subarray(this.#need);
    this.#need = undefined;
    this.#scanFrom = 0;
    return this.#buf.length > 0;
  }

  /** Drops CRLFs before a start line; false while what is left could still become a ping. */
  #skipKeepAlives(): boolean {
    const b = this.#buf;
    const crlf = (i: number): boolean => b[i] === 13 && b[i + 1] === 10;
    let i = 0;
    let wait = false;
    while (b.length - i >= 2 && crlf(i)) {
      if (b.length - i >= 4 && crlf(i + 2)) {
        this.#onPing?.();
        i += 4;
      } else if (b.length - i === 2 || (b.length - i === 3 && b[i + 2] === 13)) {
        wait = true;
        break;
      } else {
        i += 2;
      }
    }
    if (b.length - i === 1 && b[i] === 13) wait = true;
    if (i > 0) {
      this.#buf = b.subarray(i);
      this.#scanFrom = 0;
    }
    return !wait && this.#buf.length > 0;
  }
}

/** The Content-Length of a header section (folded lines joined); all copies must agree. */
function streamContentLength(head: string): number {
  const lines = head.split('\r\n');
  const values: string[] = [];
  let current: string | undefined;
  const take = (): void => {
    if (current === undefined) return;
    const colon = current.indexOf(':');
    const name = colon < 0 ? '' : current.slice(0, colon).trim().toLowerCase();
    if (name === 'content-length' || name === 'l') values.push(current.slice(colon + 1).trim());
  };
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n]!;
    if (line[0] === ' ' || line[0] === '\t') current = (current ?? '') + ' ' + line;
    else {
      take();
      current = line;
    }
  }
  take();
  if (values.length === 0) throw new SipParseError(400, 'missing Content-Length on a stream transport');
  let result: number | undefined;
  for (const v of values) {
    if (!/^[0-9]+$/.test(v)) throw new SipParseError(400, 'invalid Content-Length');
    // More than 9 significant digits is beyond any limit we could have; keep the number exact.
    if (v.replace(/^0+(?=[0-9])/, '').length > 9) throw new SipParseError(413, 'message larger than the limit');
    const n = Number(v);
    if (result !== undefined && result !== n) throw new SipParseError(400, 'conflicting Content-Length values');
    result = n;
  }
  return result!;
}
