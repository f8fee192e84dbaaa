import type { VoiceMenuConfig } from '../../config/types.ts';
import type { DtmfEvent } from '../../gateway/media/dtmf.ts';
import { metrics } from '../../gateway/metrics.ts';
import type { TtsProvider } from '../providers/tts/types.ts';
import type { AgentCallContext, AgentCallEvent, AgentSession } from '../types.ts';
import { initialMenuState, menuStep, type MenuAction, type MenuEvent, type MenuState } from './menu-machine.ts';

/** Timer functions, injectable so tests drive time by hand. */
export interface MenuTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: MenuTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface MenuSessionOptions {
  readonly timers?: MenuTimers;
}

/**
 * The local voice menu on one call: a thin adapter around the pure reducer in menu-machine.ts.
 * DTMF from the leg becomes `digit` events; `play` actions become TTS audio queued on the leg's
 * Playout (synthesised at the leg's rate, so no resampling on the hot path); `prompt-done` is sent
 * only when a prompt played to its end, never when barge-in cleared it.
 */
export class MenuSession implements AgentSession {
  readonly kind = 'menu' as const;
  readonly #ctx: AgentCallContext;
  readonly #cfg: VoiceMenuConfig;
  readonly #tts: TtsProvider;
  readonly #timers: MenuTimers;
  #state: MenuState;
  #timer: unknown;
  #timerSec = 0;
  #started = false;
  #stopped = false;
  #held = false;
  readonly #onDtmf = (ev: DtmfEvent): void => {
    this.#ctx.log.debug({ pii: { digit: ev.digit }, source: ev.source }, 'menu digit');
    metrics.agentTurns.inc({ agent: 'menu' });
    this.#dispatch({ type: 'digit', digit: ev.digit });
  };

  constructor(ctx: AgentCallContext, cfg: VoiceMenuConfig, tts: TtsProvider, opts: MenuSessionOptions = {}) {
    this.#ctx = ctx;
    this.#cfg = cfg;
    this.#tts = tts;
    this.#timers = opts.timers ?? realTimers;
    this.#state = initialMenuState(cfg);
  }

  /** The reducer's state, for tests and the end-of-call record. */
  get state(): MenuState {
    return this.#state;
  }

  async start(): Promise<void> {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.#ctx.leg.on('dtmf', this.#onDtmf);
    const from = this.#ctx.fallbackFrom;
    if (from) this.#ctx.log.info({ from: from.kind }, 'menu takes over from a failed agent');
    this.#dispatch({ type: 'start', apology: from !== undefined });
  }

  /** On hold nobody listens or presses keys: silence must not count as "no input". */
  notify(event: AgentCallEvent): void {
    if (event.type === 'hold') {
      this.#held = true;
      this.#clearTimer();
    } else if (this.#held) {
      this.#held = false;
      if (this.#state.phase === 'waiting') this.#startTimer(this.#timerSec);
    }
  }

  async stop(_reason: string): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#ctx.leg.off('dtmf', this.#onDtmf);
    this.#clearTimer();
    this.#ctx.leg.output.clear();
  }

  #dispatch(event: MenuEvent): void {
    if (this.#stopped) return;
    const step = menuStep(this.#cfg, this.#state, event);
    this.#state = step.state;
    for (const action of step.actions) this.#perform(action);
  }

  #perform(action: MenuAction): void {
    switch (action.type) {
      case 'play':
        return this.#play(action.promptKey, action.text, action.seq);
      case 'cancel-playout':
        this.#ctx.leg.output.clear();
        return;
      case 'start-input-timer':
        this.#timerSec = action.sec;
        if (!this.#held) this.#startTimer(action.sec);
        return;
      case 'cancel-input-timer':
        return this.#clearTimer();
      case 'hangup':
        this.#ctx.log.info('menu ended the call');
        this.#ctx.control.hangup('agent-hangup');
        return;
      case 'transfer':
        return this.#transfer(action.target);
    }
  }

  /** The call carries out the REFER; the menu hears how it went (on failure: apology, then the menu again). */
  #transfer(target: string): void {
    this.#clearTimer();
    this.#ctx.log.info({ pii: { target } }, 'menu transfers the call');
    this.#ctx.control
      .transfer(target)
      .then((result) => this.#dispatch({ type: 'transfer-done', ok: result.ok }))
      .catch((err: unknown) => {
        this.#ctx.log.warn({ err }, 'menu transfer failed');
        this.#dispatch({ type: 'transfer-done', ok: false });
      });
  }

  #play(key: string, text: string, seq: number): void {
    const leg = this.#ctx.leg;
    this.#tts
      .synthesize(text, { sampleRate: leg.sampleRate })
      .then(async ({ pcm, sampleRate }) => {
        // A digit may have moved the menu on while this prompt was being synthesised.
        if (this.#stopped || this.#state.seq !== seq) return;
        const report = await leg.output.play(`menu:${seq}:${key}`, pcm, sampleRate);
        if (!report.interrupted) this.#dispatch({ type: 'prompt-done', seq });
      })
      .catch((err: unknown) => {
        if (this.#stopped) return;
        // Without prompts the menu is useless to the caller: end the call rather than leave silence.
        metrics.callErrors.inc({ stage: 'menu-tts' });
        this.#ctx.log.error({ err, prompt: key }, 'menu prompt synthesis failed');
        this.#stopped = true;
        this.#ctx.leg.off('dtmf', this.#onDtmf);
        this.#clearTimer();
        this.#ctx.control.hangup('agent-hangup');
      });
  }

  #startTimer(sec: number): void {
    this.#clearTimer();
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = undefined;
      this.#dispatch({ type: 'timeout' });
    }, sec * 1000);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
