import type { TransfersConfig } from '../../config/types.ts';
import type { CallAuditRecorder } from '../audit/audit-log.ts';
import { metrics } from '../metrics.ts';
import type { IncomingRefer } from '../sip/dialog.ts';
import type { Call } from './call.ts';

/**
 * A REFER from the trunk: a PBX asks us, the transferee, to call someone else (RFC 3515 §2.4.2).
 * Honouring it would need an outbound call leg, which this gateway does not place yet. So:
 *
 *   policy `reject` (default) → 403 Forbidden; the call goes on with its agent.
 *   policy `accept`           → 202 Accepted, NOTIFY "100 Trying", then the honest final NOTIFY
 *                               "503 Service Unavailable" (subscription terminated): the referrer
 *                               learns the transfer failed and keeps its call (RFC 5589 §6.1 fallback);
 *                               our call goes on with its agent.
 *
 * A REFER while the call is not with its agent (answering, already transferring) gets 491.
 * Each REFER is one `transfer` record (direction `inbound`) in the call's audit file (`audit`).
 */
export function handleIncomingRefer(call: Call, refer: IncomingRefer, policy: TransfersConfig['incomingRefer'], audit?: CallAuditRecorder): void {
  call.log.info({ pii: { target: refer.target }, policy }, 'refer received');
  const record = (action: 'rejected' | 'accepted', sipStatus: number, notifyStatus?: number): void =>
    audit?.('transfer', { direction: 'inbound', target: refer.target, policy, action, sipStatus, ...(notifyStatus !== undefined ? { notifyStatus } : {}) });
  if (policy === 'reject') {
    metrics.incomingRefers.inc({ action: 'rejected' });
    refer.reject(403, 'Forbidden');
    record('rejected', 403);
    return;
  }
  if (call.state.status !== 'agent') {
    metrics.incomingRefers.inc({ action: 'rejected' });
    refer.reject(491, 'Request Pending');
    record('rejected', 491);
    return;
  }
  metrics.incomingRefers.inc({ action: 'accepted' });
  refer.accept();
  refer.finish(503, 'Service Unavailable');
  record('accepted', 202, 503);
}
