/**
 * Personas: who the agent is on a call — instructions, greeting, voice, language, recogniser
 * vocabulary, which tools it may call, what it must never say, and its limits. Declared in config
 * (`personas:`), chosen per call by routing (policies/routing.ts), filled with the call's context
 * variables (policies/call-context.ts). Pure.
 */
export interface PersonaLimits {
  /** Ends the call after this many seconds (the gateway's calls.maxDurationSec still applies). */
  readonly maxCallSec?: number;
  /** Tool calls allowed per call; the next one is refused and the model told so. */
  readonly maxToolCalls: number;
}

export interface PersonaSpec {
  readonly instructions: string;
  readonly greeting?: string;
  readonly voice?: string;
  /** BCP 47 tag, e.g. en-US. */
  readonly language: string;
  /** Words the recogniser should expect (product names, surnames). */
  readonly vocabulary: readonly string[];
  /** Names of declared tools (tools.declarations) or call-control tools this persona may call. */
  readonly tools: readonly string[];
  /** Regular expressions (case-insensitive) the agent must never say (policies/guardrails.ts). */
  readonly neverSay: readonly string[];
  /** Defaults for variables the call's context does not set. */
  readonly variables: Readonly<Record<string, string>>;
  readonly limits: PersonaLimits;
}

/** A persona for one call: templates filled, variables known. */
export interface ResolvedPersona extends PersonaSpec {
  readonly name: string;
  /** Defaults overlaid with the call's context variables. */
  readonly variables: Readonly<Record<string, string>>;
}

export function resolvePersona(name: string, spec: PersonaSpec, context: Readonly<Record<string, string>>): ResolvedPersona {
  const variables = { ...spec.variables, ...context };
  return {
    ...spec,
    name,
    variables,
    instructions: fillTemplate(spec.instructions, variables),
    ...(spec.greeting !== undefined ? { greeting: fillTemplate(spec.greeting, variables) } : {}),
  };
}

/**
 * Replaces `{{name}}` with the variable's value; an unknown variable becomes '' so a missing header
 * never leaves template syntax in a prompt. Values are inserted once, never re-expanded, so a
 * caller-supplied header holding `{{…}}` stays literal text.
 */
export function fillTemplate(template: string, variables: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{\s*([a-z0-9_]+)\s*\}\}/gi, (_m, key: string) => (Object.hasOwn(variables, key) ? variables[key]! : ''));
}
