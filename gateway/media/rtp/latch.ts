/**
 * Symmetric RTP source latching (RFC 4961 style, as SBCs do for callers behind NAT). Before the
 * first packet only the address named in the SDP is trusted; its first packet fixes address:port
 * (a port different from the SDP's is allowed: a NAT rewrote it), and from then on only that exact
 * source is accepted and our media goes back to it. Anyone else is a stranger, dropped and counted.
 */
export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

/** IPv4-mapped IPv6 (`::ffff:192.0.2.1`) and the plain IPv4 address are the same peer. */
function normalize(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

export class SourceLatch {
  #remote: Endpoint | undefined;
  #latched: Endpoint | undefined;

  /** Where the SDP says the peer is; a new offer (re-INVITE) unlatches. */
  setRemote(address: string, port: number): void {
    this.#remote = { address: normalize(address), port };
    this.#latched = undefined;
  }

  get latched(): Endpoint | undefined {
    return this.#latched;
  }

  /** Where to send: the latched source once known, the SDP's address before. */
  get target(): Endpoint | undefined {
    return this.#latched ?? this.#remote;
  }

  /** Whether a datagram from this source is our peer's media. */
  accept(address: string, port: number): boolean {
    const addr = normalize(address);
    if (this.#latched) return this.#latched.address === addr && this.#latched.port === port;
    if (!this.#remote || this.#remote.address !== addr) return false;
    this.#latched = { address: addr, port };
    return true;
  }
}
