import type { ToolsConfig, ToolDeclarationConfig } from '../../config/types.ts';
import type { PersonaSpec } from '../../policies/personas.ts';
import { ToolValidator, type ToolSpec } from '../../policies/tool-validation.ts';
import type { Confirmer } from './caller-confirmation.ts';
import { ToolRunner, type ToolAuditFn, type ToolHandler } from './tool-runner.ts';
import { callWebhook } from './webhook.ts';

/** A tool run inside the gateway (call control: transfer_call, end_call, send_dtmf), bound to one call. */
export interface LocalTool {
  readonly spec: ToolSpec;
  readonly handler: ToolHandler;
}

export interface ToolCallParts {
  readonly callId: string;
  readonly persona: PersonaSpec;
  /** Call-control tools for this call; only those the persona lists are offered. */
  readonly local?: readonly LocalTool[];
  readonly confirmer?: Confirmer;
  /** Plays the filler sentence in the gateway's voice when a webhook is slow. */
  readonly sayFiller?: (text: string) => void;
  readonly audit?: ToolAuditFn;
  readonly signal?: AbortSignal;
}

/**
 * Every tool of the gateway, compiled once at start-up (ajv strict: a bad schema stops start-up
 * with a ToolSchemaError naming the tool). `forCall()` gives one call its ToolRunner with the
 * persona's tools only.
 */
export class ToolCatalog {
  readonly #cfg: ToolsConfig;
  readonly #declared: ReadonlyMap<string, ToolDeclarationConfig>;
  readonly #validator: ToolValidator;
  readonly #env: NodeJS.ProcessEnv;

  /** `localSpecs`: the call-control tools' declarations (handlers are bound per call). */
  constructor(cfg: ToolsConfig, localSpecs: readonly ToolSpec[] = [], env: NodeJS.ProcessEnv = process.env) {
    this.#cfg = cfg;
    this.#env = env;
    this.#declared = new Map(cfg.declarations.map((d) => [d.name, d]));
    // A declaration in config overrides the built-in one of the same name (e.g. a tighter schema).
    const specs = new Map<string, ToolSpec>(localSpecs.map((s) => [s.name, s]));
    for (const d of cfg.declarations) specs.set(d.name, d);
    this.#validator = new ToolValidator([...specs.values()], { maxArgumentBytes: cfg.maxArgumentBytes });
  }

  forCall(p: ToolCallParts): ToolRunner {
    const local = new Map((p.local ?? []).map((t) => [t.spec.name, t]));
    const tools = new Map<string, { spec: ToolSpec & { confirmPrompt?: string }; handler: ToolHandler }>();
    let fillerAfterMs = Infinity;
    for (const name of p.persona.tools) {
      const decl = this.#declared.get(name);
      const loc = local.get(name);
      if (decl?.webhook) {
        const hook = decl.webhook;
        const bearer = hook.bearerEnv ? this.#env[hook.bearerEnv] : undefined;
        fillerAfterMs = Math.min(fillerAfterMs, hook.fillerAfterMs);
        tools.set(name, {
          spec: decl,
          handler: async (args, ctx) => (await callWebhook({ ...hook, ...(bearer ? { bearer } : {}) }, { tool: name, arguments: args, callId: p.callId }, ctx.idempotencyKey, ctx.signal)).body,
        });
      } else if (loc) {
        tools.set(name, { spec: decl ? { ...loc.spec, ...decl } : loc.spec, handler: loc.handler });
      }
    }
    return new ToolRunner({
      callId: p.callId,
      validator: this.#validator,
      tools,
      maxToolCalls: p.persona.limits.maxToolCalls,
      ...(p.confirmer ? { confirmer: p.confirmer } : {}),
      ...(p.sayFiller && Number.isFinite(fillerAfterMs) ? { filler: { say: p.sayFiller, text: this.#cfg.filler, afterMs: fillerAfterMs } } : {}),
      ...(p.audit ? { audit: p.audit } : {}),
      ...(p.signal ? { signal: p.signal } : {}),
    });
  }
}
