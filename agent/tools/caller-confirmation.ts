import type { MediaLeg } from '../../gateway/media/media-leg.ts';
import { CONFIRM_INITIAL, DEFAULT_CONFIRM, confirmStep, type ConfirmAction, type ConfirmEvent, type ConfirmOptions, type ConfirmResult, type ConfirmState } from '../../policies/confirmation.ts';
import type { TtsProvider } from '../providers/tts/types.ts';

/** Asks the caller to confirm a destructive action; only the caller's own answer counts. */
export interface Confirmer {
  confirm(question: string, signal?: AbortSignal): Promise<ConfirmResult>;
  /** The caller's words from the recogniser's input side (never the model's output). */
  hearCaller(text: string): void;
}

/** What the confirmation needs from the call: speak with the gateway's own voice, hear key presses. */
export interface ConfirmIo {
  /** Plays `text` to the caller; resolves when it has been played (or cut). */
  say(text: string): Promise<void>;
  /** Stops what `say` is playing (the caller answered while it played). */
  stopSaying(): void;
  onDtmf(listener: (digit: string) => void): () => void;
}

const REPROMPT_PREFIX = 'Sorry, I did not get that. ';

/**
 * The adapter around policies/confirmation.ts: runs the pure machine on timers, DTMF and the
 * caller's transcripts. One confirmation at a time per call; a second waits for the first.
 */
export class CallerConfirmation implements Confirmer {
  readonly #io: ConfirmIo;
  readonly #opts: ConfirmOptions;
  #current: ((e: ConfirmEvent) => void) | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(io: ConfirmIo, opts: Partial<ConfirmOptions> = {}) {
    this.#io = io;
    this.#opts = { ...DEFAULT_CONFIRM, ...opts };
  }

  hearCaller(text: string): void {
    this.#current?.({ type: 'speech', text });
  }

  confirm(question: string, signal?: AbortSignal): Promise<ConfirmResult> {
    const run = this.#queue.then(() => this.#run(question, signal));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #run(question: string, signal?: AbortSignal): Promise<ConfirmResult> {
    return new Promise<ConfirmResult>((resolve) => {
      let state: ConfirmState = CONFIRM_INITIAL;
      let timer: NodeJS.Timeout | undefined;
      let promptSeq = 0;
      const offDtmf = this.#io.onDtmf((digit) => dispatch({ type: 'dtmf', digit }));
      const finish = (result: ConfirmResult): void => {
        clearTimeout(timer);
        offDtmf();
        this.#current = undefined;
        signal?.removeEventListener('abort', onAbort);
        resolve(result);
      };
      const onAbort = (): void => {
        this.#io.stopSaying();
        finish('no');
      };
      const perform = (a: ConfirmAction): void => {
        if (a.type === 'done') {
          this.#io.stopSaying();
          finish(a.result);
        } else if (a.type === 'say') {
          const seq = ++promptSeq;
          clearTimeout(timer);
          const text = a.what === 'question' ? question : REPROMPT_PREFIX + question;
          this.#io.say(text).then(
            () => seq === promptSeq && dispatch({ type: 'prompt-played' }),
            () => seq === promptSeq && dispatch({ type: 'prompt-played' }),
          );
        } else {
          clearTimeout(timer);
          timer = setTimeout(() => dispatch({ type: 'timeout' }), a.ms);
        }
      };
      const dispatch = (e: ConfirmEvent): void => {
        if (state.status === 'done') return;
        const step = confirmStep(state, e, this.#opts);
        state = step.state;
        for (const a of step.actions) perform(a);
      };
      if (signal?.aborted) return finish('no');
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#current = dispatch;
      dispatch({ type: 'start' });
    });
  }
}

/** ConfirmIo over a media leg: the prompt in the gateway's own voice (e.g. espeak-ng), DTMF from the leg. */
export function legConfirmIo(leg: MediaLeg, tts: TtsProvider): ConfirmIo {
  let n = 0;
  return {
    async say(text) {
      const { pcm, sampleRate } = await tts.synthesize(text, { sampleRate: leg.sampleRate });
      await leg.output.play(`confirm:${++n}`, pcm, sampleRate);
    },
    stopSaying() {
      leg.output.clear();
    },
    onDtmf(listener) {
      const h = (e: { digit: string }): void => listener(e.digit);
      leg.on('dtmf', h);
      return () => void leg.off('dtmf', h);
    },
  };
}
