import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { metrics } from '../../gateway/metrics.ts';
import { injectionMarkers } from '../../policies/guardrails.ts';
import { ToolBudget } from '../../policies/limits.ts';
import type { ToolSpec, ToolValidator } from '../../policies/tool-validation.ts';
import type { Confirmer } from './caller-confirmation.ts';
import { ToolExecutionError } from './webhook.ts';

/** Runs one validated tool call. `idempotencyKey` is the same on every retry of this invocation. */
export type ToolHandler = (args: Record<string, unknown>, ctx: { readonly idempotencyKey: string; readonly signal: AbortSignal }) => Promise<unknown>;

/** A model's tool call as the agent received it. */
export interface ToolCallRequest {
  readonly name: string;
  /** The arguments exactly as the model produced them (a JSON text). */
  readonly argumentsJson: string;
  /** The provider's id for this call (Realtime `call_id`, chat `tool_call.id`), when it has one. */
  readonly id?: string;
}

export type ToolOutcomeCode = 'not-allowed' | 'invalid' | 'guardrail' | 'limit' | 'declined' | 'failed';

/** Always something to hand back to the model: `output` is the JSON text of the result or of the error. */
export type ToolOutcome =
  | { readonly ok: true; readonly name: string; readonly output: string; readonly value: unknown }
  | { readonly ok: false; readonly name: string; readonly code: ToolOutcomeCode; readonly message: string; readonly output: string };

/** What the runner writes to the audit log (gateway/audit); bound to the call by the caller. */
export type ToolAuditFn = (data: Readonly<Record<string, unknown>>) => void;

export interface ToolRunnerOptions {
  readonly callId: string;
  readonly validator: ToolValidator;
  /** Tools the persona may call, by name, with how to run each. */
  readonly tools: ReadonlyMap<string, { readonly spec: ToolSpec & { readonly confirmPrompt?: string }; readonly handler: ToolHandler }>;
  readonly maxToolCalls: number;
  readonly confirmer?: Confirmer;
  /** Spoken (gateway voice) when a tool runs longer than `fillerAfterMs`. */
  readonly filler?: { readonly say: (text: string) => void; readonly text: string; readonly afterMs: number };
  readonly audit?: ToolAuditFn;
  /** Aborted when the call ends: pending webhooks and confirmations stop. */
  readonly signal?: AbortSignal;
}

/**
 * The one way an agent (cascade or speech-to-speech) runs a model's tool call:
 * budget → allowed for the persona → schema (ajv strict) → guardrails → caller confirmation for
 * destructive tools → execute (webhook or local handler) → audit. Every refusal goes back to the
 * model as an error it can read, and is counted; nothing refused ever reaches a backend.
 */
export class ToolRunner {
  readonly #o: ToolRunnerOptions;
  readonly #budget: ToolBudget;
  #seq = 0;

  constructor(opts: ToolRunnerOptions) {
    this.#o = opts;
    this.#budget = new ToolBudget(opts.maxToolCalls);
  }

  /** Declarations for the model (name, description, JSON Schema), only the persona's tools. */
  declarations(): ToolSpec[] {
    return [...this.#o.tools.values()].map(({ spec }) => ({ name: spec.name, description: spec.description, parameters: spec.parameters }));
  }

  /** The caller's words from the recogniser, for a confirmation in progress. */
  hearCaller(text: string): void {
    this.#o.confirmer?.hearCaller(text);
  }

  get callsUsed(): number {
    return this.#budget.used;
  }

  async run(req: ToolCallRequest): Promise<ToolOutcome> {
    const seq = ++this.#seq;
    const name = req.name.slice(0, 64);
    const audit = (data: Record<string, unknown>): void => this.#o.audit?.({ tool: name, seq, ...(req.id ? { providerCallId: req.id.slice(0, 128) } : {}), ...data });

    if (!this.#budget.take()) {
      metrics.guardrailHits.inc({ kind: 'limit' });
      return this.#refuse(name, 'limit', `tool call limit of ${this.#budget.max} for this call reached; do not call tools again`, audit);
    }
    const tool = this.#o.tools.get(name);
    if (!tool) return this.#refuse(name, 'not-allowed', `no tool named ${JSON.stringify(name)} is available`, audit);
    const v = this.#o.validator.validate(name, req.argumentsJson);
    if (!v.ok) return this.#refuse(name, 'invalid', `invalid arguments: ${v.message}`, audit, { validation: v.code, issues: v.issues });
    const markers = injectionMarkers(v.value);
    if (markers.length) {
      metrics.guardrailHits.inc({ kind: 'injection' });
      return this.#refuse(name, 'guardrail', 'arguments refused: they carry instructions rather than data', audit, { arguments: v.value, markers });
    }
    if (tool.spec.destructive) {
      if (!this.#o.confirmer) return this.#refuse(name, 'declined', 'this action needs the caller to confirm and confirmation is not available on this call', audit, { arguments: v.value });
      const question = confirmQuestion(tool.spec, v.value);
      const answer = await this.#o.confirmer.confirm(question, this.#o.signal);
      audit({ stage: 'confirmation', answer });
      if (answer !== 'yes') return this.#refuse(name, 'declined', `the caller did not confirm (${answer}); do not retry unless the caller asks again`, audit, { arguments: v.value });
    }
    return this.#execute(name, tool.handler, v.value, this.#key(name, req, seq), audit);
  }

  async #execute(name: string, handler: ToolHandler, args: Record<string, unknown>, idempotencyKey: string, audit: (d: Record<string, unknown>) => void): Promise<ToolOutcome> {
    const started = performance.now();
    const f = this.#o.filler;
    const timer = f ? setTimeout(() => f.say(f.text), f.afterMs) : undefined;
    const signal = this.#o.signal ?? new AbortController().signal;
    try {
      const value = await handler(args, { idempotencyKey, signal });
      metrics.toolCalls.inc({ outcome: 'ok' });
      audit({ stage: 'result', outcome: 'ok', arguments: args, result: value, ms: Math.round(performance.now() - started) });
      return { ok: true, name, value, output: JSON.stringify(value ?? null) };
    } catch (err) {
      metrics.toolCalls.inc({ outcome: 'failed' });
      const e = err instanceof ToolExecutionError ? err : undefined;
      const message = e ? `tool failed (${e.code}${e.status ? ` ${e.status}` : ''}) after ${e.attempts} attempt(s)` : 'tool failed';
      audit({ stage: 'result', outcome: 'failed', arguments: args, error: e?.code ?? 'error', ms: Math.round(performance.now() - started) });
      return { ok: false, name, code: 'failed', message, output: JSON.stringify({ error: `${message}; tell the caller it could not be done now` }) };
    } finally {
      clearTimeout(timer);
      metrics.toolSeconds.observe((performance.now() - started) / 1000);
    }
  }

  #refuse(name: string, code: ToolOutcomeCode, message: string, audit: (d: Record<string, unknown>) => void, extra: Record<string, unknown> = {}): ToolOutcome {
    metrics.toolCalls.inc({ outcome: code });
    audit({ stage: 'refused', outcome: code, message, ...extra });
    return { ok: false, name, code, message, output: JSON.stringify({ error: message }) };
  }

  /** Stable across retries of one invocation, distinct between invocations (RFC draft-ietf-httpapi-idempotency-key-header). */
  #key(name: string, req: ToolCallRequest, seq: number): string {
    return createHash('sha256').update(`${this.#o.callId}\n${req.id ?? `seq:${seq}`}\n${name}`).digest('hex').slice(0, 32);
  }
}

/** The gateway's own question, with the arguments that will be used, so the caller hears what will happen. */
export function confirmQuestion(spec: ToolSpec & { readonly confirmPrompt?: string }, args: Readonly<Record<string, unknown>>): string {
  const base = spec.confirmPrompt
    ? spec.confirmPrompt.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (_m, k: string) => (Object.hasOwn(args, k) ? String(args[k]) : ''))
    : `I am about to ${spec.description.replace(/\.$/, '')}.`;
  return `${base} To go ahead, press 1 or say yes. To cancel, press 2 or say no.`;
}
