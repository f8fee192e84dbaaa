import { isIP } from 'node:net';
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { pointerToSegments, type PathSegment } from './key-path.ts';

/** One thing wrong with a config, ready to become a ConfigError. */
export interface ConfigIssue {
  readonly path: PathSegment[];
  readonly problem: string;
  readonly fix: string;
}

const schema = JSON.parse(readFileSync(new URL('./schema.json', import.meta.url), 'utf8')) as object;
const HOSTNAME = /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

const ajv = new Ajv2020({ allErrors: true, useDefaults: true, strict: true, verbose: true });
addFormats.default(ajv);
ajv.addFormat('ip', { type: 'string', validate: (s: string) => isIP(s) !== 0 });
ajv.addFormat('host', { type: 'string', validate: (s: string) => isIP(s) !== 0 || HOSTNAME.test(s) });
const validateSchema = ajv.compile(schema);

/**
 * Validates `data` in place against config/schema.json, filling defaults (ajv `useDefaults`).
 * Returns every issue found, most specific first in schema order; empty when valid.
 */
export function validateAgainstSchema(data: unknown): ConfigIssue[] {
  if (validateSchema(data)) return [];
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const err of validateSchema.errors ?? []) {
    const issue = toIssue(err, data);
    if (!issue) continue;
    const key = JSON.stringify(issue.path);
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  // An unknown key is usually a misspelling that also makes a required key "missing"; report it first.
  return [...issues.filter((i) => i.problem === UNKNOWN), ...issues.filter((i) => i.problem !== UNKNOWN)];
}

const UNKNOWN = 'unknown key';

function hint(schemaNode: unknown): string | undefined {
  const d = (schemaNode as { description?: unknown } | undefined)?.description;
  return typeof d === 'string' ? d : undefined;
}

function toIssue(err: ErrorObject, data: unknown): ConfigIssue | undefined {
  // `if` only says "must match then/else": the branch's own error says what is wrong.
  // Errors carrying propertyName come from inside propertyNames; the propertyNames error itself says it better.
  if (err.keyword === 'if' || (err as { propertyName?: string }).propertyName !== undefined) return undefined;
  const path = pointerToSegments(err.instancePath, data);
  const parent = err.parentSchema as { properties?: Record<string, unknown>; description?: string } | undefined;
  const p = err.params as Record<string, unknown>;
  const shown = JSON.stringify(err.data);
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const known = Object.keys(parent?.properties ?? {});
      const near = closest(key, known);
      return {
        path: [...path, key],
        problem: UNKNOWN,
        fix: near ? `did you mean "${near}"?` : known.length ? `remove it; keys allowed here: ${known.join(', ')}` : 'remove it',
      };
    }
    case 'required': {
      const key = String(p.missingProperty);
      return { path: [...path, key], problem: 'is required but missing', fix: `add it: ${hint(parent?.properties?.[key]) ?? 'see config/schema.json'}` };
    }
    case 'propertyNames': {
      const name = String(p.propertyName);
      return { path: [...path, name], problem: `the name "${name}" is not allowed`, fix: `use ${hint(err.schema) ?? 'letters, digits, _ and -'}` };
    }
    case 'enum':
      return { path, problem: `${shown} is not one of the allowed values`, fix: `use ${hint(parent) ?? (p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'const':
      return { path, problem: `${shown} is not allowed`, fix: `use ${JSON.stringify(p.allowedValue)}` };
    case 'type':
      return { path, problem: `${shown} must be ${article(String(p.type))}`, fix: `use ${hint(parent) ?? article(String(p.type))}` };
    case 'pattern':
      return { path, problem: `${shown} is not in the expected form`, fix: `use ${hint(parent) ?? `a value matching ${String(p.pattern)}`}` };
    case 'uniqueItems':
      return { path: [...path, Number(p.i)], problem: `repeats item [${String(p.j)}]`, fix: `list each value once: ${hint(parent) ?? ''}`.trim() };
    default:
      return { path, problem: `${shown} ${err.message ?? 'is invalid'}`, fix: `use ${hint(parent) ?? 'a value allowed by config/schema.json'}` };
  }
}

function article(type: string): string {
  const t = type === 'integer' ? 'whole number' : type === 'object' ? 'mapping' : type === 'array' ? 'list' : type;
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

/** The known key nearest to a misspelt one (edit distance ≤ 2, or case-insensitive equal). */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const k of known) {
    const d = k.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
