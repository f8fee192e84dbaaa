import { AsyncLocalStorage } from 'node:async_hooks';
import type { EventEmitter } from 'node:events';
import { metrics } from '../metrics.ts';
import type { Call } from './call.ts';

/**
 * Fault containment for one call (issue 8 §7: an unexpected exception in one call ends that call, with
 * a log and a metric, never the process). Two nets:
 *
 *   1. `wrap(stage, fn)`: callbacks the call wires itself (dialog and leg events, agent control,
 *      re-INVITE, REFER) and listeners an agent adds to the call's leg (`guardEmitter`) catch their
 *      own exceptions synchronously, so the emitter (an RTP socket handler, the SIP stack) goes on.
 *   2. `run(fn)`: the call's async work runs inside an AsyncLocalStorage scope; timers and promises
 *      created anywhere below it (an agent's timers, the media leg's sockets) inherit it, so the
 *      process-level handlers can find the call a stray exception belongs to (`faultInCurrentCall`).
 *
 * A fault ends the call with termination 'error' (BYE, or a 500 before answer) through `onFault`;
 * it is counted in trunkline_call_errors_total{stage} and logged once per call.
 */
export class CallGuard {
  #faulted = false;

  constructor(
    readonly call: Call,
    private readonly onFault: (stage: string, err: unknown) => void,
  ) {}

  /** Reports a fault of this call: metric always, log and hangup the first time only. */
  fault(stage: string, err: unknown): void {
    metrics.callErrors.inc({ stage });
    if (this.#faulted) return;
    this.#faulted = true;
    this.call.log.error({ err, stage }, 'call fault');
    if (this.call.ended) return;
    try {
      this.onFault(stage, err);
    } catch (hangupErr) {
      // The hangup itself failed: the call is still ended so nothing keeps running for it.
      this.call.log.error({ err: hangupErr }, 'call fault hangup failed');
      this.call.end({ result: 'error', reason: 'fault' });
    }
  }

  /**
   * `fn` with its exceptions contained to this call. With `rejections` (the default, for event
   * listeners whose promise an emitter drops) a rejected promise it returns is a fault too; callbacks
   * whose caller awaits the promise (the agent's `sendDtmf`, `transfer`) pass false.
   */
  wrap<A extends unknown[], R>(stage: string, fn: (...args: A) => R, rejections = true): (...args: A) => R {
    return (...args: A): R => {
      try {
        const out = fn(...args);
        if (rejections && out instanceof Promise) out.catch((err: unknown) => this.fault(stage, err));
        return out;
      } catch (err) {
        this.fault(stage, err);
        return undefined as R;
      }
    };
  }

  /** Runs `fn` in this call's scope (see `faultInCurrentCall`). */
  run<T>(fn: () => T): T {
    return scope.run(this, fn);
  }
}

const scope = new AsyncLocalStorage<CallGuard>();

/** The guard of the call whose async context is running, if any. */
export function currentCallGuard(): CallGuard | undefined {
  return scope.getStore();
}

/**
 * For process-level handlers (`uncaughtException`, `unhandledRejection`): when the fault happened in
 * a call's async context, that call takes it and true is returned; otherwise false.
 */
export function faultInCurrentCall(stage: string, err: unknown): boolean {
  const guard = scope.getStore();
  if (guard === undefined) return false;
  guard.fault(stage, err);
  return true;
}

const ADDERS = new Set<PropertyKey>(['on', 'addListener', 'once', 'prependListener', 'prependOnceListener']);
const REMOVERS = new Set<PropertyKey>(['off', 'removeListener']);

/**
 * A view of `emitter` whose listeners run guarded: what an agent adds to the call's leg cannot throw
 * into the RTP receive path. Removing a listener through the view removes its wrapper. Other members
 * are the emitter's own (methods bound to it, so private fields keep working).
 */
export function guardEmitter<T extends EventEmitter>(emitter: T, guard: CallGuard, stage: string): T {
  const wrappers = new WeakMap<(...args: never[]) => unknown, (...args: unknown[]) => unknown>();
  const view: T = new Proxy(emitter, {
    get(target, prop) {
      if (ADDERS.has(prop)) {
        return (event: string | symbol, fn: (...args: unknown[]) => unknown) => {
          let w = wrappers.get(fn);
          if (w === undefined) {
            w = guard.wrap(stage, fn);
            wrappers.set(fn, w);
          }
          (target[prop as 'on'] as (e: string | symbol, f: (...a: unknown[]) => unknown) => unknown).call(target, event, w);
          return view;
        };
      }
      if (REMOVERS.has(prop)) {
        return (event: string | symbol, fn: (...args: unknown[]) => unknown) => {
          (target[prop as 'off'] as (e: string | symbol, f: (...a: unknown[]) => unknown) => unknown).call(target, event, wrappers.get(fn) ?? fn);
          return view;
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return view;
}
