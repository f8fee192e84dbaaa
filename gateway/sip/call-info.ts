/** What the signaling layer knows about an incoming call, whatever backend received it. */
export interface CallInfo {
  readonly callId: string;
  /** Caller's URI (From), personal data: log only under `pii.*`. */
  readonly from: string;
  readonly fromDisplayName?: string;
  /** Called URI (To). */
  readonly to: string;
  /** User part of the Request-URI: the dialed number. */
  readonly dialed: string;
  readonly requestUri: string;
  /** Packet source of the INVITE. */
  readonly source: { readonly address: string; readonly port: number; readonly transport: 'udp' | 'tcp' | 'tls' | 'ws' };
  /** Name of the trunk the source matched, when one did. */
  readonly trunk?: string;
  /** Selected headers (lower-case names) for routing and IVR context: User-to-User, X-*, Diversion… */
  readonly headers: Readonly<Record<string, string>>;
  readonly userAgent?: string;
}
