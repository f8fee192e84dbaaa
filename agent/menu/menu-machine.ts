import type { MenuOption, VoiceMenuConfig } from '../../config/types.ts';

/**
 * The voice menu as a pure reducer (design §4.4): `menuStep(cfg, state, event)` returns the next
 * state and the actions for the adapter (menu-session.ts) to carry out. No timers, audio or I/O
 * here, so every path is tested as "events in, actions out".
 *
 *   start ─▶ [apology ─done─▶] greeting ─done─▶ prompt ─done─▶ waiting ─digit─▶ option (say) ─done─▶ then
 *                                 ▲            │ timeout ≤ maxRepeats: prompt again       │
 *                                 └────────────┴── invalid ◀─ unknown digit              │
 *                                              timeout > maxRepeats ─▶ goodbye ─done─▶ hangup
 *
 *   then {transfer} ─▶ transferring ─transfer-done ok─▶ ended (the call is gone: REFER accepted, target answered)
 *                          └─transfer-done failed─▶ transfer-failed (apology) ─done─▶ prompt (same menu)
 *
 * The apology plays first when the menu takes over from an AI agent that failed (issue 4 §6).
 *
 * A digit pressed while a prompt plays interrupts it (barge-in by DTMF): the caller who knows the
 * menu need not wait for it. The goodbye is never interrupted.
 */
export type MenuRules = Pick<VoiceMenuConfig, 'greeting' | 'goodbye' | 'invalid' | 'start' | 'menus' | 'inputTimeoutSec' | 'maxRepeats'> &
  Partial<Pick<VoiceMenuConfig, 'transferFailed' | 'fallbackApology'>>;

/** The apology when a transfer fails and the config names none (the schema fills one in). */
export const DEFAULT_TRANSFER_FAILED = 'Sorry, I could not transfer your call.';
/** The apology when the menu takes over from a failed AI agent and the config names none. */
export const DEFAULT_FALLBACK_APOLOGY = 'Sorry, our assistant is not available right now.';

export type MenuEvent =
  /** `apology`: the menu takes over from an AI agent that failed; say sorry before the greeting. */
  | { readonly type: 'start'; readonly apology?: boolean }
  | { readonly type: 'digit'; readonly digit: string }
  /** The prompt started by the `play` action with this `seq` finished playing (not interrupted). */
  | { readonly type: 'prompt-done'; readonly seq: number }
  | { readonly type: 'timeout' }
  /** The transfer asked for by the `transfer` action is over: `ok` when the call has moved on. */
  | { readonly type: 'transfer-done'; readonly ok: boolean };

export type MenuAction =
  /** `seq` identifies this prompt; a `prompt-done` for an older one is stale and ignored. */
  | { readonly type: 'play'; readonly promptKey: string; readonly text: string; readonly seq: number }
  | { readonly type: 'cancel-playout' }
  | { readonly type: 'start-input-timer'; readonly sec: number }
  | { readonly type: 'cancel-input-timer' }
  | { readonly type: 'hangup' }
  /** Blind transfer of the call to `target` (answered later by a `transfer-done` event). */
  | { readonly type: 'transfer'; readonly target: string };

export type MenuPhase = 'idle' | 'apology' | 'greeting' | 'prompt' | 'waiting' | 'option' | 'invalid' | 'goodbye' | 'transferring' | 'transfer-failed' | 'ended';

export interface MenuState {
  readonly phase: MenuPhase;
  /** The menu the caller is in. */
  readonly menu: string;
  /** Re-prompts after silence since the caller last pressed a digit. */
  readonly repeats: number;
  /** `seq` of the last `play` action. */
  readonly seq: number;
  /** While an option's `say` plays: what follows it. */
  readonly after?: MenuOption['then'];
}

export interface MenuStep {
  readonly state: MenuState;
  readonly actions: readonly MenuAction[];
}

export function initialMenuState(cfg: Pick<MenuRules, 'start'>): MenuState {
  return { phase: 'idle', menu: cfg.start, repeats: 0, seq: 0 };
}

/** Stable keys of every prompt, for playout ids and pre-synthesis. */
export const promptKey = {
  greeting: 'greeting',
  goodbye: 'goodbye',
  invalid: 'invalid',
  transferFailed: 'transfer-failed',
  fallbackApology: 'fallback-apology',
  menu: (name: string) => `menu:${name}`,
  option: (menu: string, digit: string) => `option:${menu}:${digit}`,
} as const;

/** Every prompt the menu can speak, deduplicated by key. */
export function menuPrompts(cfg: MenuRules): Array<{ key: string; text: string }> {
  const out: Array<{ key: string; text: string }> = [
    { key: promptKey.greeting, text: cfg.greeting },
    { key: promptKey.goodbye, text: cfg.goodbye },
    { key: promptKey.invalid, text: cfg.invalid },
    // Any call may reach the menu as a fallback: synthesised up front so the apology starts at once.
    { key: promptKey.fallbackApology, text: cfg.fallbackApology ?? DEFAULT_FALLBACK_APOLOGY },
  ];
  if (Object.values(cfg.menus).some((m) => m.options.some((o) => typeof o.then === 'object' && 'transfer' in o.then))) {
    out.push({ key: promptKey.transferFailed, text: cfg.transferFailed ?? DEFAULT_TRANSFER_FAILED });
  }
  for (const [name, menu] of Object.entries(cfg.menus)) {
    out.push({ key: promptKey.menu(name), text: menu.prompt });
    for (const opt of menu.options) if (opt.say) out.push({ key: promptKey.option(name, opt.digit), text: opt.say });
  }
  return out;
}

const none: readonly MenuAction[] = [];

export function menuStep(cfg: MenuRules, state: MenuState, event: MenuEvent): MenuStep {
  switch (event.type) {
    case 'start':
      if (state.phase !== 'idle') return { state, actions: none };
      if (event.apology) return play(state, 'apology', promptKey.fallbackApology, cfg.fallbackApology ?? DEFAULT_FALLBACK_APOLOGY);
      return play(state, 'greeting', promptKey.greeting, cfg.greeting);
    case 'digit':
      return onDigit(cfg, state, event.digit);
    case 'prompt-done':
      return event.seq === state.seq ? onPromptDone(cfg, state) : { state, actions: none };
    case 'transfer-done':
      if (state.phase !== 'transferring') return { state, actions: none };
      if (event.ok) return { state: { ...state, phase: 'ended' }, actions: none };
      return play(state, 'transfer-failed', promptKey.transferFailed, cfg.transferFailed ?? DEFAULT_TRANSFER_FAILED);
    case 'timeout':
      if (state.phase !== 'waiting') return { state, actions: none };
      if (state.repeats < cfg.maxRepeats) return playMenu(cfg, { ...state, repeats: state.repeats + 1 }, state.menu);
      return goodbye(cfg, state);
  }
}

function onDigit(cfg: MenuRules, state: MenuState, digit: string): MenuStep {
  switch (state.phase) {
    case 'apology':
    case 'greeting':
    case 'prompt':
    case 'invalid':
    case 'transfer-failed':
      return prepend({ type: 'cancel-playout' }, choose(cfg, state, state.menu, digit));
    case 'waiting':
      return prepend({ type: 'cancel-input-timer' }, choose(cfg, state, state.menu, digit));
    case 'option': {
      // The caller cut the option's announcement short: carry out its `then`, and let the digit
      // act in the menu that follows (or end, if the option was "hang up").
      const then = state.after ?? 'repeat';
      if (then === 'hangup') return prepend({ type: 'cancel-playout' }, goodbye(cfg, state));
      // "Transferring you…" cut short: transfer now; the digit has nothing to act on.
      if (typeof then === 'object' && 'transfer' in then) return prepend({ type: 'cancel-playout' }, transfer(state, then.transfer));
      const next = then === 'repeat' ? state.menu : then.goto;
      return prepend({ type: 'cancel-playout' }, choose(cfg, state, next, digit));
    }
    default:
      return { state, actions: none }; // idle, goodbye, ended: digits change nothing
  }
}

function onPromptDone(cfg: MenuRules, state: MenuState): MenuStep {
  switch (state.phase) {
    case 'apology':
      return play(state, 'greeting', promptKey.greeting, cfg.greeting);
    case 'greeting':
      return playMenu(cfg, state, state.menu);
    case 'prompt':
      return { state: { ...state, phase: 'waiting' }, actions: [{ type: 'start-input-timer', sec: cfg.inputTimeoutSec }] };
    case 'option':
      return follow(cfg, state, state.after ?? 'repeat');
    case 'invalid':
    case 'transfer-failed':
      return playMenu(cfg, state, state.menu);
    case 'goodbye':
      return { state: { ...state, phase: 'ended' }, actions: [{ type: 'hangup' }] };
    default:
      return { state, actions: none };
  }
}

/** A digit in menu `name`: its option, or the "invalid" prompt. Any digit resets the silence count. */
function choose(cfg: MenuRules, state: MenuState, name: string, digit: string): MenuStep {
  const base: MenuState = { ...state, menu: name, repeats: 0 };
  const opt = cfg.menus[name]?.options.find((o) => o.digit === digit);
  if (!opt) return play(base, 'invalid', promptKey.invalid, cfg.invalid);
  if (opt.say) return play({ ...base, after: opt.then }, 'option', promptKey.option(name, digit), opt.say);
  return follow(cfg, base, opt.then);
}

function follow(cfg: MenuRules, state: MenuState, then: MenuOption['then']): MenuStep {
  if (then === 'hangup') return goodbye(cfg, state);
  if (typeof then === 'object' && 'transfer' in then) return transfer(state, then.transfer);
  return playMenu(cfg, state, then === 'repeat' ? state.menu : then.goto);
}

function playMenu(cfg: MenuRules, state: MenuState, name: string): MenuStep {
  const menu = cfg.menus[name];
  // load.ts rejects a goto to a missing menu; should one slip through, end politely rather than loop.
  if (!menu) return goodbye(cfg, state);
  return play({ ...state, menu: name }, 'prompt', promptKey.menu(name), menu.prompt);
}

/** Digits and timeouts do nothing while the transfer runs; only `transfer-done` moves on. */
function transfer(state: MenuState, target: string): MenuStep {
  return { state: { phase: 'transferring', menu: state.menu, repeats: 0, seq: state.seq }, actions: [{ type: 'transfer', target }] };
}

function goodbye(cfg: MenuRules, state: MenuState): MenuStep {
  return play(state, 'goodbye', promptKey.goodbye, cfg.goodbye);
}

function play(state: MenuState, phase: MenuPhase, key: string, text: string): MenuStep {
  const seq = state.seq + 1;
  const next: MenuState = { phase, menu: state.menu, repeats: state.repeats, seq, ...(phase === 'option' && state.after !== undefined && { after: state.after }) };
  return { state: next, actions: [{ type: 'play', promptKey: key, text, seq }] };
}

function prepend(action: MenuAction, step: MenuStep): MenuStep {
  return { state: step.state, actions: [action, ...step.actions] };
}
