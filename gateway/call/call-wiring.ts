import type { AgentCallContext, AgentFactory } from '../../agent/types.ts';
import { metrics } from '../metrics.ts';
import type { MediaLeg } from '../media/media-leg.ts';
import { isDtmfDigit } from '../media/dtmf.ts';
import type { SipDialog } from '../sip/dialog.ts';
import type { Termination } from '../sip/termination.ts';
import type { Call } from './call.ts';
import type { CallGuard } from './call-guard.ts';

export type Hangup = (result: Termination, reason?: string, sipStatus?: number) => void;

/** Hangs up from our side: a final response before answer, BYE after; then the call ends. */
export function callHangup(call: Call, dialog: SipDialog): Hangup {
  return (result, reason, sipStatus) => {
    if (call.ended) return;
    const status = call.state.status;
    call.end({ result, ...(reason ? { reason } : {}), ...(sipStatus ? { sipStatus } : {}) });
    if (status === 'offered' || status === 'answering') {
      if (dialog.state === 'early') dialog.reject(sipStatus ?? (result === 'shutdown' ? 503 : result === 'error' ? 500 : 480));
    } else {
      dialog.bye().catch((err: unknown) => call.log.debug({ err }, 'bye failed'));
    }
  };
}

/** Dialog events that end the call, each guarded (a throwing listener ends this call only). */
export function wireDialog(call: Call, dialog: SipDialog, guard: CallGuard): void {
  dialog.on('cancel', guard.wrap('dialog', () => call.end({ result: 'caller-cancel', sipStatus: 487 })));
  dialog.on('bye', guard.wrap('dialog', () => call.end({ result: 'caller-hangup' })));
  dialog.on('ack-timeout', guard.wrap('dialog', () => call.end({ result: 'ack-timeout', reason: 'no ACK for 2xx' })));
  dialog.on('lost', guard.wrap('dialog', () => call.end({ result: 'error', reason: 'signaling lost' })));
  dialog.on('ended', guard.wrap('dialog', () => call.end({ result: 'caller-hangup', reason: 'dialog ended' })));
}

/** Media events that end or affect the call. */
export function wireMedia(call: Call, dialog: SipDialog, leg: MediaLeg, guard: CallGuard, hangup: Hangup): void {
  leg.on('media-timeout', guard.wrap('media', () => hangup('media-timeout', 'no inbound RTP')));
  leg.on(
    'error',
    guard.wrap('media', (err) => {
      metrics.callErrors.inc({ stage: 'media' });
      call.log.error({ err }, 'media leg failed');
      hangup('error', 'media failure');
    }),
  );
  // DTMF carried in SIP INFO reaches the agent the same way as RFC 4733 events.
  dialog.on(
    'dtmf',
    guard.wrap('dtmf', (d) => {
      const digit = d.digit.toUpperCase();
      if (!isDtmfDigit(digit)) return;
      metrics.dtmfDigits.inc({ source: 'sip-info' });
      leg.emit('dtmf', { digit, durationMs: d.durationMs, source: 'sip-info' });
    }),
  );
}

/**
 * Replaces a failed agent with the next of the chain (design: s2s → cascade → local voice menu).
 * The caller hears the next agent at once; with no agent left the call ends.
 */
export function fallBack(call: Call, chain: AgentFactory[], ctx: AgentCallContext, reason: string, hangup: Hangup): void {
  const s = call.state;
  if (s.status !== 'agent') return;
  metrics.agentFallbacks.inc({ from: s.agent.kind });
  call.log.warn({ from: s.agent.kind, reason }, 'agent failed, falling back');
  s.agent.stop('fallback').catch(() => undefined);
  s.leg.output.clear();
  const next = chain.shift();
  if (!next) {
    hangup('error', 'no fallback agent left');
    return;
  }
  try {
    // The next agent learns it is a fallback: the menu opens with a spoken apology (issue 4 §6).
    const agent = next.create({ ...ctx, fallbackFrom: { kind: s.agent.kind, reason } });
    call.state = { ...s, since: Date.now(), agent };
    agent.start().catch((err: unknown) => {
      call.log.error({ err }, 'fallback agent failed to start');
      hangup('error', 'fallback agent failed');
    });
  } catch (err) {
    call.log.error({ err }, 'fallback agent failed to start');
    hangup('error', 'fallback agent failed');
  }
}
