import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { registry as defaultRegistry } from './metrics.ts';

export interface HealthSnapshot {
  /** Calls in progress. */
  readonly calls: number;
  /** True once SIGTERM started draining: load balancers should stop sending calls here. */
  readonly draining?: boolean;
}

export interface HttpOptions {
  readonly bind: string;
  /** 0 picks a free port (tests); the chosen one is returned. */
  readonly port: number;
  readonly health: () => HealthSnapshot;
  /** Defaults to the gateway's registry (gateway/metrics.ts). */
  readonly registry?: Registry;
}

export interface HttpServer {
  readonly port: number;
  /** Makes /healthz answer 503 whatever `health()` says, so the instance leaves rotation. */
  setDraining(draining: boolean): void;
  close(): Promise<void>;
}

/**
 * The operations endpoint: `GET /metrics` (Prometheus text format) and `GET /healthz`. Nothing else:
 * it is bound to loopback by default and never sees call audio or personal data.
 */
export async function startHttp(opts: HttpOptions): Promise<HttpServer> {
  const registry = opts.registry ?? defaultRegistry;
  let draining = false;

  const routes: Record<string, (res: ServerResponse) => Promise<void> | void> = {
    '/metrics': async (res) => {
      const body = await registry.metrics();
      send(res, 200, registry.contentType, body);
    },
    '/healthz': (res) => {
      const h = opts.health();
      if (draining || h.draining) send(res, 503, 'application/json', JSON.stringify({ status: 'draining' }));
      else send(res, 200, 'application/json', JSON.stringify({ status: 'ok', calls: h.calls }));
    },
    // Memory after a full collection when the process runs with --expose-gc (tests: leak checks);
    // otherwise as it stands. Numbers only, no contents.
    '/debug/memory': (res) => {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (gc !== undefined) {
        gc();
        gc();
      }
      const m = process.memoryUsage();
      send(res, 200, 'application/json', JSON.stringify({ collected: gc !== undefined, rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external }));
    },
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (!route) return send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
    if (req.method !== 'GET') {
      res.setHeader('Allow', 'GET');
      return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    }
    Promise.resolve()
      .then(() => route(res))
      .catch(() => send(res, 500, 'text/plain; charset=utf-8', 'internal error\n'));
  });
  // Small, local, scraped every few seconds: no reason to hold idle sockets or slow requests long.
  server.keepAliveTimeout = 5_000;
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.bind, () => {
      server.off('error', reject);
      resolve();
    });
  });

  return {
    port: (server.address() as AddressInfo).port,
    setDraining(d) {
      draining = d;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'Content-Type': contentType, 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
