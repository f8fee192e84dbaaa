import type { DialogHost } from './dialog-host.ts';
import { buildInDialogRequest, nextHopFor, type DialogRouting } from './dialog-request.ts';
import type { Endpoint, SipRequest, SipResponse } from './message.ts';

/** What a re-INVITE we send needs from its dialog. */
export interface OutgoingReInvite {
  readonly host: Pick<DialogHost, 'sentBy' | 'requestInvite' | 'sendRequest'>;
  readonly routing: DialogRouting;
  /** Where the dialog's INVITE came from (transport and next hop). */
  readonly source: Endpoint;
  readonly cseq: number;
  /** Contact, Allow, Supported and session-timer headers (Content-Type is added here when there is SDP). */
  readonly headers: Readonly<Record<string, string>>;
  /** Our current SDP, sent unchanged. */
  readonly localSdp: string | undefined;
}

/**
 * A refresh re-INVITE carrying our current SDP unchanged (so its o= version stays, RFC 3264 §8), used
 * for RFC 4028 session refreshes when the peer does not allow UPDATE. The 2xx is ACKed by us
 * (RFC 3261 §13.2.2.4), and the same ACK re-sent for each retransmitted 2xx. The first final
 * response, or undefined on Timer B. The dialog must offer `requestInvite`.
 */
export async function sendReInvite(o: OutgoingReInvite): Promise<SipResponse | undefined> {
  const transport = o.source.transport;
  const via = { transport, ...o.host.sentBy(transport) };
  const headers = { ...o.headers, ...(o.localSdp !== undefined ? { 'Content-Type': 'application/sdp' } : {}) };
  const req = buildInDialogRequest(o.routing, 'INVITE', o.cseq, via, headers);
  if (o.localSdp !== undefined) req.body = Buffer.from(o.localSdp, 'utf8');
  const to = nextHopFor(o.routing, o.source);
  let ack: SipRequest | undefined;
  const sendAck = (): void => {
    ack ??= buildInDialogRequest(o.routing, 'ACK', o.cseq, via);
    o.host.sendRequest?.(ack, to);
  };
  const res = await o.host.requestInvite!(req, to, sendAck);
  if (res !== undefined && res.status >= 200 && res.status < 300) sendAck();
  return res;
}

/** Whether the INVITE's Allow lists UPDATE (RFC 3311); an INVITE without Allow says nothing, so no. */
export function allowsUpdate(invite: SipRequest): boolean {
  return invite.headers.getAll('Allow').some((v) => v.split(',').some((t) => t.trim().toUpperCase() === 'UPDATE'));
}
