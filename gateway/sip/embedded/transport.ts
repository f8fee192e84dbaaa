import type { Endpoint, Transport } from './message.ts';

/**
 * What the UAS needs from a transport (RFC 3261 §18): bytes in with their source, bytes out to an
 * endpoint. Parsing is not the transport's job, except that TCP must frame the stream (§18.3).
 */
export interface SipTransport {
  readonly kind: Transport;
  /** Reliable transports (TCP) suppress retransmissions (§17.1.1.2, §17.2.1). */
  readonly reliable: boolean;
  /** Binds; resolves with the bound port (useful when configured with port 0). */
  listen(): Promise<number>;
  readonly port: number;
  /** Sends one whole message. Errors are logged and counted, never thrown: SIP retransmits. */
  send(data: Buffer, to: Endpoint): void;
  close(): Promise<void>;
}

/** Called for each received message (a datagram, or one framed TCP message). */
export type MessageHandler = (data: Buffer, source: Endpoint) => void;

/** Key of an endpoint in connection tables. IPv6 addresses are bracketed like in a URI. */
export function endpointKey(ep: { readonly address: string; readonly port: number }): string {
  return ep.address.includes(':') ? `[${ep.address}]:${ep.port}` : `${ep.address}:${ep.port}`;
}
