import { performance } from 'node:perf_hooks';
import type OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { metrics } from '../../../gateway/metrics.ts';
import { ToolValidator, type ToolSpec } from '../../../policies/tool-validation.ts';
import { toProviderError } from '../openai-client.ts';
import type { LlmEvent, LlmMessage, LlmProvider, LlmRequest } from './types.ts';

/**
 * Streaming chat completions (POST /chat/completions, `stream: true`, server-sent
 * `chat.completion.chunk`s). Tools are declared in strict mode (`strict: true`: the model's
 * arguments must match the JSON Schema exactly), and are still validated here with the policies'
 * ToolValidator before any event reaches the agent: strict mode is the vendor's promise, the
 * validator is ours. Tool-call fragments are joined by their `index` (the wire splits a call's
 * `arguments` over many chunks).
 */
export interface OpenAiLlmOptions {
  readonly client: OpenAI;
  readonly model: string;
  readonly temperature?: number;
}

const PROVIDER = 'openai-llm';

export class OpenAiLlm implements LlmProvider {
  readonly name = PROVIDER;
  readonly #opts: OpenAiLlmOptions;
  readonly #validators = new WeakMap<readonly ToolSpec[], ToolValidator>();

  constructor(opts: OpenAiLlmOptions) {
    this.#opts = opts;
  }

  describe(): string {
    return `openai-llm(${this.#opts.model})`;
  }

  async *stream(req: LlmRequest): AsyncIterable<LlmEvent> {
    const validator = this.#validator(req.tools);
    const started = performance.now();
    let first = true;
    const calls = new Map<number, { id: string; name: string; arguments: string }>();
    let finishReason = 'stop';
    try {
      const stream = await this.#opts.client.chat.completions.create(
        {
          model: this.#opts.model,
          messages: req.messages.map(toWire),
          stream: true,
          ...(this.#opts.temperature !== undefined ? { temperature: this.#opts.temperature } : {}),
          ...(req.tools.length > 0 ? { tools: req.tools.map(toolToWire), parallel_tool_calls: false } : {}),
        },
        { signal: req.signal },
      );
      for await (const chunk of stream) {
        const choice = chunk.choices[0];
        if (!choice) continue;
        const delta = choice.delta;
        if (delta.content) {
          if (first) {
            first = false;
            metrics.cascadeLlmFirstTokenSeconds.observe((performance.now() - started) / 1000);
          }
          yield { type: 'text', delta: delta.content };
        }
        for (const tc of delta.tool_calls ?? []) {
          const cur = calls.get(tc.index) ?? { id: '', name: '', arguments: '' };
          if (tc.id) cur.id = tc.id;
          if (tc.function?.name) cur.name += tc.function.name;
          if (tc.function?.arguments) cur.arguments += tc.function.arguments;
          calls.set(tc.index, cur);
        }
        if (choice.finish_reason) finishReason = choice.finish_reason;
      }
    } catch (err) {
      if (req.signal.aborted) return;
      throw toProviderError(PROVIDER, err);
    }
    metrics.cascadeProviderSeconds.observe({ provider: 'llm' }, (performance.now() - started) / 1000);
    for (const [, call] of [...calls].sort((a, b) => a[0] - b[0])) {
      yield { type: 'tool-call', call, validation: validator.validate(call.name, call.arguments) };
    }
    yield { type: 'done', finishReason };
  }

  #validator(tools: readonly ToolSpec[]): ToolValidator {
    let v = this.#validators.get(tools);
    if (!v) {
      v = new ToolValidator(tools);
      this.#validators.set(tools, v);
    }
    return v;
  }
}

function toolToWire(t: ToolSpec): ChatCompletionTool {
  return { type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters as Record<string, unknown>, strict: true } };
}

function toWire(m: LlmMessage): ChatCompletionMessageParam {
  switch (m.role) {
    case 'system':
    case 'user':
      return { role: m.role, content: m.content };
    case 'assistant':
      return m.toolCalls && m.toolCalls.length > 0
        ? { role: 'assistant', content: m.content || null, tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })) }
        : { role: 'assistant', content: m.content };
    case 'tool':
      return { role: 'tool', tool_call_id: m.toolCallId, content: m.content };
  }
}
