import type { ToolSpec } from '../../policies/tool-validation.ts';
import type { LlmToolCall } from '../providers/llm/types.ts';

/** What a tool may ask of the call it runs in. */
export interface ToolContext {
  /** Ends the call once the reply in progress has been heard. */
  hangupAfterReply(): void;
}

/**
 * A tool the cascade's model may call. `run` receives arguments already validated against
 * `spec.parameters` (policies/tool-validation.ts) and returns the result the model reads (JSON text).
 */
export interface CascadeTool {
  readonly spec: ToolSpec;
  run(args: Record<string, unknown>, ctx: ToolContext, call: LlmToolCall): Promise<string>;
}

/** `end_call`: the model ends the conversation after its goodbye. */
export const endCallTool: CascadeTool = {
  spec: {
    name: 'end_call',
    description: 'End the phone call after your goodbye has been spoken. Use when the caller says goodbye or has nothing more.',
    parameters: {
      type: 'object',
      properties: { reason: { type: 'string', enum: ['caller-done', 'caller-request', 'out-of-scope'], description: 'why the call ends' } },
      required: ['reason'],
      additionalProperties: false,
    },
  },
  async run(_args, ctx) {
    ctx.hangupAfterReply();
    return JSON.stringify({ ok: true });
  },
};

export const BUILTIN_TOOLS: readonly CascadeTool[] = [endCallTool];
