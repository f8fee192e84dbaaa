import type { Logger } from '../../log.ts';
import type { Clock } from './clock.ts';
import type { EmbeddedDialog } from './dialog.ts';
import type { Endpoint, SipRequest, SipResponse, Transport } from './message.ts';

/** What a dialog needs from the UAS core that owns the transports and transaction tables. */
export interface DialogHost {
  readonly clock: Clock;
  readonly log: Logger;
  /** Our Contact header value for a transport, e.g. `<sip:trunkline@127.0.0.1:5060>`. */
  contact(transport: Transport): string;
  /** Our Via sent-by on a transport. */
  sentBy(transport: Transport): { readonly host: string; readonly port: number };
  /** Sends a response outside any transaction (the 2xx retransmissions of §13.3.1.4). */
  sendResponse(res: SipResponse, to: Endpoint): void;
  /** Runs a non-INVITE client transaction; the final response, or undefined on Timer F. */
  request(req: SipRequest, to: Endpoint): Promise<SipResponse | undefined>;
  /** The dialog is over: forget it. */
  release(dialog: EmbeddedDialog): void;
  /**
   * Runs an INVITE client transaction (transaction-client-invite.ts) for a re-INVITE we send; the first
   * final response or undefined on Timer B. Without it a refresh is always an UPDATE.
   */
  requestInvite?(req: SipRequest, to: Endpoint, onRetransmitted2xx: (res: SipResponse) => void): Promise<SipResponse | undefined>;
  /** Sends a request outside any transaction (the ACK for a 2xx, §13.2.2.4). */
  sendRequest?(req: SipRequest, to: Endpoint): void;
}
