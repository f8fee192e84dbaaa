import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { freeSipPort, freeTcpPort, freeUdpRange } from './ports.ts';
import { metricSum, parseProm, type Sample } from './prom.ts';

/**
 * Starts the real gateway (`node --import tsx gateway/main.ts`) on free loopback ports and stops it
 * with SIGTERM (it drains), then SIGKILL after a grace period. Its stdout/stderr go to a temp log
 * file whose tail is printed by `describe()` so a failing assertion shows what the gateway said.
 */

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** Conformance material lives beside the checkout, never inside it. */
export const SHARED_CONFORMANCE = path.resolve(REPO_ROOT, '../shared/sip-conformance');

export interface GatewayOptions {
  /**
   * Keys to change in config/default.yaml (deep-merged; arrays replace). The merged file is written to
   * a temp dir and passed as TRUNKLINE_CONFIG, since a config file must be complete.
   */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Complete YAML text instead of `config` (written as is). */
  readonly configYaml?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** How long to wait for /healthz. */
  readonly readyTimeoutMs?: number;
}

export interface GatewayExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface Gateway {
  readonly sipPort: number;
  readonly httpPort: number;
  readonly rtpRange: { readonly min: number; readonly max: number };
  readonly logFile: string;
  /** `host:port` for SIPp. */
  readonly target: string;
  uri(user?: string): string;
  metrics(): Promise<Sample[]>;
  /** Convenience: the sum of a metric's series matching `labels`. */
  metric(name: string, labels?: Readonly<Record<string, string>>): Promise<number>;
  logTail(chars?: number): string;
  /** Text for assertion messages. */
  describe(): string;
  isRunning(): boolean;
  stop(graceMs?: number): Promise<GatewayExit>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function deepMerge(base: Obj, over: Readonly<Obj>): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isObj(b) && isObj(v) ? deepMerge(b, v) : v;
  }
  return out;
}

/** config/default.yaml with `overrides` applied, as YAML text. */
export function defaultConfigWith(overrides: Readonly<Obj>): string {
  const base = parseYaml(readFileSync(path.join(REPO_ROOT, 'config/default.yaml'), 'utf8')) as unknown;
  if (!isObj(base)) throw new Error('config/default.yaml is not a mapping');
  return stringifyYaml(deepMerge(base, overrides));
}

async function httpGet(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, body: await res.text() };
}

export async function startGateway(opts: GatewayOptions = {}): Promise<Gateway> {
  const dir = mkdtempSync(path.join(tmpdir(), 'trunkline-gw-'));
  const logFile = path.join(dir, 'gateway.log');
  const sipPort = await freeSipPort();
  const httpPort = await freeTcpPort();
  const rtpRange = await freeUdpRange(200);
  const env: Record<string, string> = {
    // A developer's own OpenAI key must never reach the gateway under test: a test that wants the
    // AI agents passes its fake server's key and base URL in opts.env.
    ...withoutKeys(process.env as Record<string, string>),
    TRUNKLINE_BIND: '127.0.0.1',
    TRUNKLINE_SIP_PORT: String(sipPort),
    TRUNKLINE_HTTP_PORT: String(httpPort),
    TRUNKLINE_RTP_PORT_MIN: String(rtpRange.min),
    TRUNKLINE_RTP_PORT_MAX: String(rtpRange.max),
    ...(opts.env ?? {}),
  };
  const yamlText = opts.configYaml ?? (opts.config ? defaultConfigWith(opts.config) : undefined);
  if (yamlText !== undefined) {
    const cfg = path.join(dir, 'config.yaml');
    writeFileSync(cfg, yamlText);
    env['TRUNKLINE_CONFIG'] = cfg;
  }
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/main.ts'], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  let exit: GatewayExit | null = null;
  const exited = new Promise<GatewayExit>((resolve) => {
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
  });

  const logTail = (chars = 6000): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-chars) : '');
  const base = `http://127.0.0.1:${httpPort}`;

  const stop = async (graceMs = 8000): Promise<GatewayExit> => {
    if (exit) return exit;
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const r = await exited;
    clearTimeout(t);
    await new Promise<void>((resolve) => log.end(() => resolve()));
    return r;
  };

  // Ready when /healthz answers 200; bounded by time and by the child staying alive.
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 20_000);
  let ready = false;
  while (Date.now() < deadline && !exit) {
    try {
      const r = await httpGet(`${base}/healthz`, 1000);
      if (r.status === 200) {
        ready = true;
        break;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  if (!ready) {
    await stop(2000);
    throw new Error(`gateway not ready (exit=${JSON.stringify(exit)}); log ${logFile}:\n${logTail()}`);
  }

  const metrics = async (): Promise<Sample[]> => {
    const r = await httpGet(`${base}/metrics`, 3000);
    if (r.status !== 200) throw new Error(`/metrics answered ${r.status}`);
    return parseProm(r.body);
  };

  return {
    sipPort,
    httpPort,
    rtpRange,
    logFile,
    target: `127.0.0.1:${sipPort}`,
    uri: (user = 'trunkline') => `sip:${user}@127.0.0.1:${sipPort}`,
    metrics,
    metric: async (name, labels = {}) => metricSum(await metrics(), name, labels),
    logTail,
    describe: () => `gateway log ${logFile} (tail):\n${logTail()}`,
    isRunning: () => exit === null,
    stop,
  };
}

function withoutKeys(env: Record<string, string>): Record<string, string> {
  const { OPENAI_API_KEY: _k, OPENAI_BASE_URL: _u, ...rest } = env;
  return rest;
}
