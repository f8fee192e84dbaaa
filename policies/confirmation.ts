/**
 * Confirmation of a destructive tool call, as a pure state machine (events in, actions out). The
 * gateway asks the caller with its own prompt and accepts only the caller's answer — DTMF from the
 * media leg, or speech from the caller's side of the recogniser — so a model cannot fake a "yes" by
 * saying it, or by claiming the caller did.
 *
 * Speech is heard only after our prompt has finished playing: a yes inside the prompt's own echo
 * ("say yes or press 1") must not count.
 */
export type ConfirmResult = 'yes' | 'no' | 'timeout';

export interface ConfirmOptions {
  /** Times the question is asked before giving up (first ask included). */
  readonly maxAsks: number;
  readonly listenMs: number;
  readonly yesDigit: string;
  readonly noDigit: string;
}

export const DEFAULT_CONFIRM: ConfirmOptions = { maxAsks: 2, listenMs: 8000, yesDigit: '1', noDigit: '2' };

export type ConfirmState =
  | { readonly status: 'asking'; readonly asks: number }
  | { readonly status: 'listening'; readonly asks: number }
  | { readonly status: 'done'; readonly result: ConfirmResult };

export type ConfirmEvent =
  | { readonly type: 'start' }
  | { readonly type: 'prompt-played' }
  | { readonly type: 'dtmf'; readonly digit: string }
  | { readonly type: 'speech'; readonly text: string }
  | { readonly type: 'timeout' };

export type ConfirmAction =
  | { readonly type: 'say'; readonly what: 'question' | 'reprompt' }
  | { readonly type: 'listen'; readonly ms: number }
  | { readonly type: 'done'; readonly result: ConfirmResult };

export const CONFIRM_INITIAL: ConfirmState = { status: 'asking', asks: 0 };

const YES = /^(?:yes|yeah|yep|yup|sure|correct|confirm(?:ed)?|affirmative|go ahead|please do|do it|that'?s right|ok(?:ay)?)\b/i;
const NO = /^(?:no|nope|nah|don'?t|do not|cancel|stop|negative|wait)\b/i;

/** Interprets a caller's words: yes, no, or unclear. */
export function hearAnswer(text: string): 'yes' | 'no' | 'unclear' {
  const t = text.trim().replace(/^[^a-z']+/i, '');
  if (NO.test(t)) return 'no';
  if (YES.test(t)) return 'yes';
  return 'unclear';
}

export function confirmStep(state: ConfirmState, event: ConfirmEvent, opts: ConfirmOptions = DEFAULT_CONFIRM): { state: ConfirmState; actions: ConfirmAction[] } {
  if (state.status === 'done') return { state, actions: [] };
  const finish = (result: ConfirmResult) => ({ state: { status: 'done', result } as const, actions: [{ type: 'done', result } as const] });
  const ask = (asks: number) => {
    // Out of asks after unclear answers: not a yes, so no.
    if (asks >= opts.maxAsks) return finish('no');
    return { state: { status: 'asking', asks: asks + 1 } as const, actions: [{ type: 'say', what: asks === 0 ? 'question' : 'reprompt' } as const] };
  };
  switch (event.type) {
    case 'start':
      return state.asks === 0 ? ask(0) : { state, actions: [] };
    case 'prompt-played':
      return state.status === 'asking' ? { state: { status: 'listening', asks: state.asks }, actions: [{ type: 'listen', ms: opts.listenMs }] } : { state, actions: [] };
    case 'dtmf':
      // A key press is the caller's own, even while the prompt plays (barge-in).
      if (event.digit === opts.yesDigit) return finish('yes');
      if (event.digit === opts.noDigit) return finish('no');
      return state.status === 'listening' ? ask(state.asks) : { state, actions: [] };
    case 'speech': {
      if (state.status !== 'listening') return { state, actions: [] };
      const heard = hearAnswer(event.text);
      if (heard === 'yes') return finish('yes');
      if (heard === 'no') return finish('no');
      return ask(state.asks);
    }
    case 'timeout':
      if (state.status !== 'listening') return { state, actions: [] };
      return state.asks >= opts.maxAsks ? finish('timeout') : ask(state.asks);
  }
}
