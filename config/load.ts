import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../gateway/errors.ts';
import { resolveAdvertise, type InterfaceLister } from './advertise.ts';
import { envOverlay } from './env.ts';
import { formatKeyPath } from './key-path.ts';
import { deepFreeze, deepMerge, isPlainObject } from './merge.ts';
import { envNameFor, findSecret } from './secrets.ts';
import { semanticIssues } from './semantic.ts';
import type { Config, DeepPartial } from './types.ts';
import { validateAgainstSchema, type ConfigIssue } from './validate.ts';
import { parseYamlSource, type YamlSource } from './yaml-source.ts';

/** The configuration `make run` uses when neither `file` nor TRUNKLINE_CONFIG names another. */
export const DEFAULT_CONFIG_FILE = fileURLToPath(new URL('./default.yaml', import.meta.url));

export interface LoadConfigOptions {
  /** YAML file to read; else TRUNKLINE_CONFIG; else config/default.yaml. */
  readonly file?: string;
  /** Environment for TRUNKLINE_* overrides; defaults to process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** Applied last (after the file and the environment), then validated like the rest. */
  readonly overrides?: DeepPartial<Config>;
  /** For tests: the machine's interfaces when the advertised address must be detected. */
  readonly networkInterfaces?: InterfaceLister;
  /** Directory relative paths (tts.cacheDir) are resolved against; defaults to process.cwd(). */
  readonly cwd?: string;
}

/**
 * Reads, validates and completes the configuration. Layers, later wins: YAML file ← TRUNKLINE_*
 * environment ← `overrides`. Every mistake throws a ConfigError naming the dotted key path, where
 * it was written, and the fix; the returned object is frozen.
 */
export function loadConfig(opts: LoadConfigOptions = {}): Config {
  const env = opts.env ?? process.env;
  const file = opts.file ?? (env.TRUNKLINE_CONFIG || undefined) ?? DEFAULT_CONFIG_FILE;
  const source = parseYamlSource(readText(file), file);
  if (!isPlainObject(source.data)) {
    throw new ConfigError('', `${file} must hold a mapping of keys (sip:, rtp:, trunks:, agent: …)`, 'start from config/default.yaml');
  }
  const secret = findSecret(source.data);
  if (secret) {
    const where = source.where(secret);
    throw new ConfigError(formatKeyPath(secret), `secrets are not read from the config file (${where})`, `remove this key and set the environment variable ${envNameFor(secret)} instead`);
  }
  const { overlay, sources } = envOverlay(env);
  // structuredClone: ajv's useDefaults writes into the object, which must not be the caller's overrides.
  const merged = structuredClone(deepMerge(deepMerge(normaliseDigits(source.data), overlay), opts.overrides)) as Record<string, unknown>;

  const schemaIssues = validateAgainstSchema(merged);
  if (schemaIssues.length) throw toError(schemaIssues, source, sources);
  const cfg = merged as unknown as Config;
  const issues = semanticIssues(cfg);
  if (issues.length) throw toError(issues, source, sources);

  const sip = merged.sip as { bind: string; advertise?: string };
  sip.advertise ??= resolveAdvertise(sip.bind, opts.networkInterfaces);
  const tts = (merged.agent as { menu: { tts: { cacheDir: string } } }).menu.tts;
  tts.cacheDir = resolve(opts.cwd ?? process.cwd(), tts.cacheDir);
  const audit = merged.audit as { dir: string };
  audit.dir = resolve(opts.cwd ?? process.cwd(), audit.dir);
  return deepFreeze(cfg);
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError('', `cannot read the config file ${file} (${code})`, 'set TRUNKLINE_CONFIG to a readable YAML file, or unset it to use config/default.yaml');
  }
}

/** YAML reads `digit: 1` as a number; a menu digit is a string, so accept the obvious intent. */
function normaliseDigits(data: Record<string, unknown>): Record<string, unknown> {
  const menus = (data.agent as { menu?: { menus?: unknown } } | undefined)?.menu?.menus;
  if (!isPlainObject(menus)) return data;
  for (const menu of Object.values(menus)) {
    const options = isPlainObject(menu) ? menu.options : undefined;
    if (!Array.isArray(options)) continue;
    for (const opt of options) {
      if (isPlainObject(opt) && Number.isInteger(opt.digit) && (opt.digit as number) >= 0 && (opt.digit as number) <= 9) opt.digit = String(opt.digit);
    }
  }
  return data;
}

function toError(issues: readonly ConfigIssue[], source: YamlSource, envSources: ReadonlyMap<string, string>): ConfigError {
  const first = issues[0]!;
  const keyPath = formatKeyPath(first.path);
  const fromEnv = envSources.get(keyPath);
  const origin = fromEnv ? `set by ${fromEnv}` : source.where(first.path);
  const more = issues.length > 1 ? `; ${issues.length - 1} more: ${issues.slice(1, 4).map((i) => formatKeyPath(i.path)).join(', ')}${issues.length > 4 ? ', …' : ''}` : '';
  return new ConfigError(keyPath, `${first.problem} (${origin})${more}`, first.fix);
}
