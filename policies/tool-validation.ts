import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/**
 * Tool calls from a model are untrusted input: arguments are checked against the tool's JSON Schema
 * before anything runs (pure: no I/O). Schemas are compiled once, in ajv's strict mode, with no type
 * coercion, no defaults injected, formats checked, and extra properties refused everywhere.
 */
export interface ToolSpec {
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the arguments object. */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** Acts on a real system in a way that cannot be undone: the gateway asks the caller first. */
  readonly destructive?: boolean;
}

export interface ValidationIssue {
  /** JSON Pointer into the arguments, '' for the whole object. */
  readonly path: string;
  readonly message: string;
}

export type Validation<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly code: 'unknown-tool' | 'bad-json' | 'too-large' | 'schema'; readonly issues: readonly ValidationIssue[]; readonly message: string };

/** A schema mistake found at start-up: names the tool and what to fix. */
export class ToolSchemaError extends Error {
  override readonly name = 'ToolSchemaError';
  constructor(
    readonly tool: string,
    message: string,
  ) {
    super(`tool ${tool}: ${message}`);
  }
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export class ToolValidator {
  readonly #validators = new Map<string, ValidateFunction>();
  readonly #maxBytes: number;

  constructor(tools: readonly ToolSpec[], opts: { maxArgumentBytes?: number } = {}) {
    this.#maxBytes = opts.maxArgumentBytes ?? 16 * 1024;
    const ajv = addFormats(new Ajv({ strict: true, allErrors: true, coerceTypes: false, useDefaults: false, removeAdditional: false }));
    for (const tool of tools) {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(tool.name)) throw new ToolSchemaError(tool.name, 'name must be 1–64 letters, digits, _ or -');
      if (this.#validators.has(tool.name)) throw new ToolSchemaError(tool.name, 'declared twice');
      if (tool.parameters.type !== 'object') throw new ToolSchemaError(tool.name, 'parameters must be a JSON Schema with type "object"');
      requireClosedObjects(tool.name, tool.parameters, '');
      try {
        this.#validators.set(tool.name, ajv.compile(tool.parameters));
      } catch (err) {
        throw new ToolSchemaError(tool.name, (err as Error).message);
      }
    }
  }

  has(name: string): boolean {
    return this.#validators.has(name);
  }

  /** Parses and checks a model's arguments string for tool `name`. */
  validate(name: string, argumentsJson: string): Validation<Record<string, unknown>> {
    const validate = this.#validators.get(name);
    if (!validate) return fail('unknown-tool', [{ path: '', message: `no tool named ${JSON.stringify(name.slice(0, 64))}` }]);
    if (Buffer.byteLength(argumentsJson) > this.#maxBytes) return fail('too-large', [{ path: '', message: `arguments exceed ${this.#maxBytes} bytes` }]);
    let value: unknown;
    try {
      value = JSON.parse(argumentsJson === '' ? '{}' : argumentsJson);
    } catch (err) {
      return fail('bad-json', [{ path: '', message: `arguments are not valid JSON: ${(err as Error).message}` }]);
    }
    if (!validate(value)) return fail('schema', (validate.errors ?? []).map(toIssue));
    return { ok: true, value: value as Record<string, unknown> };
  }
}

function fail(code: 'unknown-tool' | 'bad-json' | 'too-large' | 'schema', issues: ValidationIssue[]): Validation<never> {
  const message = issues.map((i) => `${i.path || '(arguments)'} ${i.message}`).join('; ');
  return { ok: false, code, issues, message };
}

function toIssue(e: ErrorObject): ValidationIssue {
  const extra = e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : '';
  return { path: e.instancePath, message: `${e.message ?? e.keyword}${extra}` };
}

/** Every object in the schema must say `additionalProperties: false`, so a model cannot smuggle fields. */
function requireClosedObjects(tool: string, schema: unknown, at: string): void {
  if (typeof schema !== 'object' || schema === null) return;
  const s = schema as Record<string, unknown>;
  if (s.type === 'object' && s.additionalProperties !== false) throw new ToolSchemaError(tool, `${at || '(root)'}: objects must set additionalProperties: false`);
  for (const [k, v] of Object.entries(s)) {
    if (k === 'properties' && v && typeof v === 'object') for (const [p, sub] of Object.entries(v)) requireClosedObjects(tool, sub, `${at}/${p}`);
    else if (k === 'items' || k === 'additionalItems') requireClosedObjects(tool, v, `${at}[]`);
    else if ((k === 'anyOf' || k === 'oneOf' || k === 'allOf') && Array.isArray(v)) v.forEach((sub) => requireClosedObjects(tool, sub, at));
  }
}
