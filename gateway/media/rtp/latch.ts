/**
 * Symmetric RTP source latching (RFC 4961 style, as SBCs do for callers behind NAT), hardened
 * against "RTP bleed" (Asterisk strictrtp, AST-2017-005). Before the first packet only the address
 * named in the SDP is trusted; its first packet fixes address:port and SSRC (a port different from
 * the SDP's is allowed: a NAT rewrote it). During a short learning window after that, the peer may
 * still move to another port of the same address or start a new SSRC (NAT rebinding, an SBC
 * switching streams) and we follow the newest. After the window only that exact source and SSRC are
 * accepted and our media goes back to it; anyone else is a stranger, dropped and counted.
 */
export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

/** IPv4-mapped IPv6 (`::ffff:192.0.2.1`) and the plain IPv4 address are the same peer. */
function normalize(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

export interface SourceLatchOptions {
  /** Milliseconds after latching during which the port/SSRC may still change (0: never). */
  readonly windowMs?: number;
}

export class SourceLatch {
  readonly #windowMs: number;
  #remote: Endpoint | undefined;
  #latched: Endpoint | undefined;
  #ssrc: number | undefined;
  #latchedAt = 0;

  constructor(opts: SourceLatchOptions = {}) {
    this.#windowMs = opts.windowMs ?? 0;
  }

  /** Where the SDP says the peer is; a new offer (re-INVITE) unlatches. */
  setRemote(address: string, port: number): void {
    this.#remote = { address: normalize(address), port };
    this.#latched = undefined;
    this.#ssrc = undefined;
  }

  get latched(): Endpoint | undefined {
    return this.#latched;
  }

  get ssrc(): number | undefined {
    return this.#ssrc;
  }

  /** Where to send: the latched source once known, the SDP's address before. */
  get target(): Endpoint | undefined {
    return this.#latched ?? this.#remote;
  }

  /**
   * Whether a datagram from this source is our peer's media. `ssrc` (RTP only) and `nowMs` enable
   * the SSRC check and the learning window; without them only the address:port is checked.
   */
  accept(address: string, port: number, ssrc?: number, nowMs = 0): boolean {
    const addr = normalize(address);
    const l = this.#latched;
    if (l !== undefined && l.address === addr && l.port === port && (ssrc === undefined || this.#ssrc === undefined || ssrc === this.#ssrc)) return true;
    const learning = l === undefined || nowMs - this.#latchedAt < this.#windowMs;
    if (!learning || !this.#remote || this.#remote.address !== addr) return false;
    if (l === undefined) this.#latchedAt = nowMs;
    this.#latched = { address: addr, port };
    if (ssrc !== undefined) this.#ssrc = ssrc;
    return true;
  }
}
