import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultConfigWith, REPO_ROOT } from '../../tests/integration/harness/gateway.ts';
import { freeSipPort, freeTcpPort, freeUdpRange } from '../../tests/integration/harness/ports.ts';
import { metricSum, parseProm } from '../../tests/integration/harness/prom.ts';
import { sampleProc, type ProcSample } from './proc.ts';

/**
 * The real gateway (`node --import tsx gateway/main.ts`) pinned to one CPU with taskset(1), on free
 * loopback ports, with an RTP range wide enough for the ramp. taskset execs node, so the child's pid
 * is the gateway's own and /proc/<pid> measures it alone.
 */

export interface PinnedGateway {
  readonly pid: number;
  readonly target: string;
  readonly rtpRange: { readonly min: number; readonly max: number };
  readonly logFile: string;
  proc(): ProcSample;
  metric(name: string, labels?: Readonly<Record<string, string>>): Promise<number>;
  activeCalls(): Promise<number>;
  logTail(chars?: number): string;
  stop(): Promise<void>;
}

export interface PinnedGatewayOptions {
  readonly cpu: number;
  readonly config?: Readonly<Record<string, unknown>>;
  /** RTP ports to reserve (two per call: RTP + RTCP). */
  readonly rtpPorts: number;
  readonly readyTimeoutMs?: number;
  /** Extra environment for the gateway (e.g. OPENAI_BASE_URL of a local fake provider). */
  readonly env?: Readonly<Record<string, string>>;
}

async function get(url: string, timeoutMs = 3000): Promise<string> {
  const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (r.status !== 200) throw new Error(`${url} answered ${r.status}`);
  return r.text();
}

export async function startPinnedGateway(opts: PinnedGatewayOptions): Promise<PinnedGateway> {
  const dir = mkdtempSync(path.join(tmpdir(), 'trunkline-bench-gw-'));
  const logFile = path.join(dir, 'gateway.log');
  const cfg = path.join(dir, 'config.yaml');
  // A benchmark is one loud source by design: admission rate limits would measure themselves, not the
  // gateway, so they are lifted well above any rate the bench offers (a section may override).
  const unlimited = { security: { admission: { perSource: { ratePerSec: 100000, burst: 100000 }, perTrunk: { ratePerSec: 100000, burst: 100000 } } }, calls: { maxConcurrent: 5000 } };
  writeFileSync(cfg, defaultConfigWith(deepMergeShallow(unlimited, { logging: { level: 'warn', pii: false }, ...(opts.config ?? {}) })));
  const sipPort = await freeSipPort();
  const httpPort = await freeTcpPort();
  const rtpRange = await freeUdpRange(opts.rtpPorts);
  const log = createWriteStream(logFile);
  const child: ChildProcess = spawn('taskset', ['-c', String(opts.cpu), process.execPath, '--import', 'tsx', 'gateway/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      ...(opts.env ?? {}),
      TRUNKLINE_CONFIG: cfg,
      TRUNKLINE_BIND: '127.0.0.1',
      TRUNKLINE_SIP_PORT: String(sipPort),
      TRUNKLINE_HTTP_PORT: String(httpPort),
      TRUNKLINE_RTP_PORT_MIN: String(rtpRange.min),
      TRUNKLINE_RTP_PORT_MAX: String(rtpRange.max),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  let exited = false;
  const exit = new Promise<void>((resolve) => child.on('exit', () => ((exited = true), resolve())));
  const base = `http://127.0.0.1:${httpPort}`;
  const logTail = (chars = 3000): string => {
    try {
      return readFileSync(logFile, 'utf8').slice(-chars);
    } catch {
      return '';
    }
  };
  const stop = async (): Promise<void> => {
    if (exited) return;
    child.kill('SIGINT'); // first signal drains; the second (below) exits at once
    const t1 = setTimeout(() => child.kill('SIGINT'), 1500);
    const t2 = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exit;
    clearTimeout(t1);
    clearTimeout(t2);
    log.end();
  };
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
  let ready = false;
  while (!ready && !exited && Date.now() < deadline) {
    try {
      await get(`${base}/healthz`, 1000);
      ready = true;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  if (!ready || child.pid === undefined) {
    await stop();
    throw new Error(`gateway did not become ready: ${logTail(1500)}`);
  }
  const pid = child.pid;
  const metric = async (name: string, labels: Readonly<Record<string, string>> = {}): Promise<number> =>
    metricSum(parseProm(await get(`${base}/metrics`)), name, labels);
  return {
    pid,
    target: `127.0.0.1:${sipPort}`,
    rtpRange,
    logFile,
    proc: () => sampleProc(pid),
    metric,
    // /healthz is the cheapest thing to poll during a measurement window (no metrics rendering).
    activeCalls: async () => Number((JSON.parse(await get(`${base}/healthz`, 2000)) as { calls?: number }).calls ?? NaN),
    logTail,
    stop,
  };
}

/** Merges `b` over `a` one level deep per top-level key (enough for the bench's config overrides). */
function deepMergeShallow(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = prev && typeof prev === 'object' && v && typeof v === 'object' && !Array.isArray(v) ? { ...(prev as object), ...(v as object) } : v;
  }
  return out;
}
