import type { TransferResult } from '../../agent/types.ts';
import type { TransfersConfig } from '../../config/types.ts';
import { isAllowedTarget } from '../../policies/transfer-targets.ts';
import type { CallAuditRecorder } from '../audit/audit-log.ts';
import { metrics } from '../metrics.ts';
import type { ReferOutcome } from '../sip/dialog.ts';
import type { Call } from './call.ts';

/**
 * Blind transfer of one call (RFC 3515, RFC 5589 §6.1 "basic transfer"): the agent asks, the target
 * is checked against the allowlist (nothing leaves the gateway otherwise), the call goes
 * `agent → transferring`, and the REFER in the caller's dialog decides:
 *
 *   NOTIFY sipfrag 2xx          → the call ends `transferred`, then our BYE (the transferor leaves)
 *   REFER refused, sipfrag ≥300,
 *   no final NOTIFY in time     → `transferring → agent`: the agent gets the failure and apologises
 *   the dialog ended meanwhile  → the call is already over; nothing to do
 *
 * Promise-only, never rejects: every way it can go is a `TransferResult`. Each attempt that reaches
 * the policy is one `transfer` record in the call's audit file (`audit`): target, outcome, SIP status.
 */
export async function transferCall(call: Call, target: string, cfg: TransfersConfig, audit?: CallAuditRecorder): Promise<TransferResult> {
  const { result, sipStatus } = await attemptTransfer(call, target, cfg);
  audit?.('transfer', { direction: 'outbound', target, outcome: result.ok ? 'transferred' : result.reason, ...(sipStatus !== undefined ? { sipStatus } : {}) });
  return result;
}

/** The result for the agent, and the SIP status that decided it (REFER response or NOTIFY sipfrag) for the audit. */
async function attemptTransfer(call: Call, target: string, cfg: TransfersConfig): Promise<{ result: TransferResult; sipStatus?: number }> {
  const unavailable = { result: { ok: false, reason: 'unavailable' } } as const;
  const s = call.state;
  if (s.status !== 'agent') return unavailable;
  if (!isAllowedTarget(target, cfg.allowedTargets)) {
    metrics.transfers.inc({ result: 'refused' });
    call.log.warn({ pii: { target } }, 'transfer target not allowed');
    return { result: { ok: false, reason: 'refused' } };
  }
  call.state = { ...s, status: 'transferring', since: Date.now() };
  call.log.info({ pii: { target } }, 'transfer started');
  let outcome: ReferOutcome;
  try {
    outcome = await call.dialog.refer(target, {
      timeoutMs: cfg.timeoutSec * 1000,
      onProgress: (status) => call.log.debug({ status }, 'transfer progress'),
    });
  } catch (err) {
    // The SipDialog contract says refer() resolves; a backend that throws is treated as a refusal.
    call.log.error({ err }, 'transfer refer failed');
    outcome = { ok: false, stage: 'rejected' };
  }
  const now = call.state;
  if (now.status !== 'transferring') {
    // The caller hung up (or the call was shut down) while we waited.
    metrics.transfers.inc({ result: 'ended' });
    return unavailable;
  }
  if (outcome.ok) {
    metrics.transfers.inc({ result: 'transferred' });
    call.log.info({ status: outcome.status }, 'transfer succeeded');
    // End first, so the dialog's 'ended' event (from our BYE) does not decide the result.
    call.end({ result: 'transferred', sipStatus: outcome.status });
    call.dialog.bye().catch((err: unknown) => call.log.debug({ err }, 'bye after transfer failed'));
    return { result: { ok: true }, sipStatus: outcome.status };
  }
  metrics.transfers.inc({ result: outcome.stage });
  call.log.warn({ stage: outcome.stage, status: outcome.status }, 'transfer failed, back to the agent');
  if (outcome.stage === 'ended') return unavailable;
  call.state = { ...now, status: 'agent', since: Date.now() };
  const sipStatus = outcome.status !== undefined ? { sipStatus: outcome.status } : {};
  return { result: { ok: false, reason: outcome.stage, ...sipStatus }, ...sipStatus };
}
