import { performance } from 'node:perf_hooks';
import { metrics } from '../../gateway/metrics.ts';
import type { LlmMessage, LlmProvider, LlmToolCall } from '../providers/llm/types.ts';
import type { CascadeTool, ToolContext } from './tools.ts';

/**
 * One generation of the model for one caller turn, tool rounds included. Text is buffered until a
 * listener is attached, so a speculative (preemptive) generation can run before the turn is known
 * to have ended and be either attached to a speaker or thrown away. Tool arguments are validated by
 * the provider (policies/tool-validation.ts) before this runs anything: an invalid call is answered
 * to the model with the validation message, never executed.
 */
export interface ReplyOptions {
  readonly llm: LlmProvider;
  readonly history: readonly LlmMessage[];
  readonly userText: string;
  readonly tools: readonly CascadeTool[];
  readonly maxToolRounds: number;
  readonly toolContext: ToolContext;
}

export class Reply {
  readonly userText: string;
  readonly #abort = new AbortController();
  readonly #buffered: string[] = [];
  #onText: ((delta: string) => void) | undefined;
  /** Messages this reply adds after the user's: assistant tool calls and tool results, in order. */
  readonly added: LlmMessage[] = [];
  text = '';
  /** When the model's first text arrived (performance.now), for the turn's timeline. */
  firstTextAt: number | undefined;
  /** Resolves when generation ends (rejects with the provider's error). */
  readonly finished: Promise<void>;

  constructor(opts: ReplyOptions) {
    this.userText = opts.userText;
    this.finished = this.#run(opts);
    this.finished.catch(() => undefined);
  }

  get aborted(): boolean {
    return this.#abort.signal.aborted;
  }

  /** Delivers buffered and future text to `fn`. */
  attach(fn: (delta: string) => void): void {
    this.#onText = fn;
    for (const d of this.#buffered.splice(0)) fn(d);
  }

  abort(): void {
    this.#abort.abort();
  }

  async #run(o: ReplyOptions): Promise<void> {
    const specs = o.tools.map((t) => t.spec);
    const messages: LlmMessage[] = [...o.history, { role: 'user', content: o.userText }];
    for (let round = 0; round <= o.maxToolRounds; round++) {
      const calls: { call: LlmToolCall; result: Promise<string> }[] = [];
      let roundText = '';
      // The last round offers no tools, so the model must speak.
      for await (const ev of o.llm.stream({ messages: [...messages, ...this.added], tools: round < o.maxToolRounds ? specs : [], signal: this.#abort.signal })) {
        if (this.aborted) return;
        if (ev.type === 'text') {
          this.firstTextAt ??= performance.now();
          roundText += ev.delta;
          this.text += ev.delta;
          if (this.#onText) this.#onText(ev.delta);
          else this.#buffered.push(ev.delta);
        } else if (ev.type === 'tool-call') {
          if (!ev.validation.ok) {
            metrics.cascadeToolCalls.inc({ result: 'invalid' });
            calls.push({ call: ev.call, result: Promise.resolve(JSON.stringify({ error: `invalid arguments: ${ev.validation.message}` })) });
            continue;
          }
          const tool = o.tools.find((t) => t.spec.name === ev.call.name)!;
          const args = ev.validation.value;
          calls.push({
            call: ev.call,
            result: tool.run(args, o.toolContext, ev.call).then(
              (r) => (metrics.cascadeToolCalls.inc({ result: 'ok' }), r),
              () => (metrics.cascadeToolCalls.inc({ result: 'failed' }), JSON.stringify({ error: 'the tool failed' })),
            ),
          });
        }
      }
      if (calls.length === 0 || this.aborted) return;
      this.added.push({ role: 'assistant', content: roundText, toolCalls: calls.map((c) => c.call) });
      for (const c of calls) this.added.push({ role: 'tool', toolCallId: c.call.id, content: await c.result });
    }
  }
}
