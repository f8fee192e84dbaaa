import type { ToolSpec, Validation } from '../../../policies/tool-validation.ts';

/** A conversation message, provider-neutral. Tool arguments are personal data: log only under pii.*. */
export type LlmMessage =
  | { readonly role: 'system'; readonly content: string }
  | { readonly role: 'user'; readonly content: string }
  | { readonly role: 'assistant'; readonly content: string; readonly toolCalls?: readonly LlmToolCall[] }
  | { readonly role: 'tool'; readonly toolCallId: string; readonly content: string };

export interface LlmToolCall {
  readonly id: string;
  readonly name: string;
  /** The model's arguments, a JSON string as received. */
  readonly arguments: string;
}

export type LlmEvent =
  | { readonly type: 'text'; readonly delta: string }
  /** A complete tool call, its arguments already checked against the tool's schema (nothing ran yet). */
  | { readonly type: 'tool-call'; readonly call: LlmToolCall; readonly validation: Validation<Record<string, unknown>> }
  | { readonly type: 'done'; readonly finishReason: string };

export interface LlmRequest {
  readonly messages: readonly LlmMessage[];
  readonly tools: readonly ToolSpec[];
  readonly signal: AbortSignal;
}

/** Streaming chat. Failures are ProviderError with `retryable` set. */
export interface LlmProvider {
  readonly name: string;
  stream(req: LlmRequest): AsyncIterable<LlmEvent>;
  describe(): string;
}
