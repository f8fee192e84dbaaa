import { EventEmitter } from 'node:events';
import type { Logger } from '../log.ts';
import { metrics } from '../metrics.ts';
import type { CallInfo } from '../sip/call-info.ts';
import type { SipDialog } from '../sip/dialog.ts';
import type { TerminationDetail } from '../sip/termination.ts';
import { canTransition, type CallState, type CallStatus } from './call-state.ts';

export interface CallEvents {
  state: [CallState, CallState];
}

/**
 * One call. Its state changes only through the `state` setter (discord.js AudioPlayer's pattern):
 * that one place checks the transition, releases what the old state owned and is not carried over,
 * updates metrics and emits. Everything else (signaling, media, agent wiring) lives in call-runner.
 */
export class Call extends EventEmitter<CallEvents> {
  readonly id: string;
  readonly log: Logger;
  readonly createdAt: number;
  #state: CallState;

  constructor(
    readonly dialog: SipDialog,
    log: Logger,
    readonly now: () => number = Date.now,
  ) {
    super();
    this.id = dialog.info.callId;
    this.createdAt = now();
    // Call-IDs come from the network: a hostile one can be tens of KB, so logs carry a bounded prefix.
    this.log = log.child({ callId: this.id.length > 128 ? `${this.id.slice(0, 128)}…` : this.id });
    this.#state = { status: 'offered', since: this.createdAt };
  }

  get info(): CallInfo {
    return this.dialog.info;
  }

  get state(): CallState {
    return this.#state;
  }

  set state(next: CallState) {
    const prev = this.#state;
    if (!canTransition(prev.status, next.status)) {
      throw new Error(`illegal call transition ${prev.status} -> ${next.status}`);
    }
    this.#state = next;
    if (next.status === 'ended') this.#release(prev, next.termination);
    this.log.debug({ from: prev.status, to: next.status }, 'call state');
    this.emit('state', next, prev);
  }

  get ended(): boolean {
    return this.#state.status === 'ended';
  }

  /** Ends the call with `termination` from whatever state it is in; a second end is ignored. */
  end(termination: TerminationDetail): void {
    if (this.ended) return;
    const s = this.#state;
    const answeredAt = 'answeredAt' in s ? s.answeredAt : undefined;
    this.state = { status: 'ended', since: this.now(), termination, answeredAt };
  }

  #release(prev: CallState, termination: TerminationDetail): void {
    if ('agent' in prev) {
      prev.agent.stop(termination.result).catch((err: unknown) => {
        metrics.callErrors.inc({ stage: 'agent-stop' });
        this.log.warn({ err }, 'agent stop failed');
      });
    }
    if ('leg' in prev) {
      const stats = prev.leg.stats();
      metrics.rtpJitterMs.observe(stats.jitterMs);
      const dropped = prev.leg.output.droppedSamples;
      if (dropped > 0) metrics.playoutDroppedMs.inc((dropped * 1000) / prev.leg.output.sampleRate);
      prev.leg.close(termination.result);
    }
    metrics.callsTotal.inc({ result: termination.result });
    const answeredAt = 'answeredAt' in prev ? prev.answeredAt : undefined;
    if (answeredAt !== undefined) metrics.callDurationSeconds.observe((this.now() - answeredAt) / 1000);
    this.log.info({ result: termination.result, sipStatus: termination.sipStatus, reason: termination.reason }, 'call ended');
  }
}

/** Resolves when the call enters `status`, rejects after `timeoutMs` (tests: `await entersState(...)`). */
export function entersState(call: Call, status: CallStatus, timeoutMs: number): Promise<CallState> {
  if (call.state.status === status) return Promise.resolve(call.state);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      call.off('state', onState);
      reject(new Error(`call did not enter ${status} within ${timeoutMs} ms (is ${call.state.status})`));
    }, timeoutMs);
    const onState = (s: CallState): void => {
      if (s.status !== status) return;
      clearTimeout(timer);
      call.off('state', onState);
      resolve(s);
    };
    call.on('state', onState);
  });
}
