import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';
import type { Logger } from '../../log.ts';
import { metrics } from '../../metrics.ts';
import { eslNoDelay } from './esl-nodelay.ts';
import type { FsEndpoint } from './freeswitch-leg.ts';

/** The part of a drachtio-fsmrf 4.1.2 MediaServer we use (the package ships no types). */
export interface FsMediaServer extends EventEmitter {
  readonly maxSessions: number;
  readonly currentSessions: number;
  readonly cpuIdle: number;
  readonly conn: EventEmitter;
  createEndpoint(opts: { remoteSdp: string; codecs?: string[] }): Promise<FsEndpoint & { local: { sdp: string; mediaIp: string; mediaPort: string } }>;
  disconnect(): void;
}

export interface FsServerConfig {
  readonly address: string;
  readonly port: number;
  readonly secret: string;
}

export interface FsPoolOptions {
  readonly servers: readonly FsServerConfig[];
  readonly profile: string;
  readonly listenAddress: string;
  readonly heartbeatTimeoutSec: number;
  readonly log: Logger;
  /** `(srf) → Mrf`; production requires drachtio-fsmrf. */
  readonly connect: (cfg: FsServerConfig) => Promise<FsMediaServer>;
  readonly now?: () => number;
}

interface Member {
  readonly cfg: FsServerConfig;
  ms: FsMediaServer | undefined;
  lastHeartbeat: number;
  retryTimer: NodeJS.Timeout | undefined;
  backoffMs: number;
}

/**
 * FreeSWITCH media servers. A server is healthy while its event socket is up and its HEARTBEAT
 * (every 20 s by default in FreeSWITCH) is fresh; new calls go to the healthy server with the most
 * free sessions. A lost server is reconnected with backoff (1 s doubling to 30 s).
 */
export class FsPool {
  readonly #o: FsPoolOptions;
  readonly #members: Member[];
  readonly #now: () => number;
  #closed = false;

  constructor(opts: FsPoolOptions) {
    this.#o = opts;
    this.#now = opts.now ?? Date.now;
    this.#members = opts.servers.map((cfg) => ({ cfg, ms: undefined, lastHeartbeat: 0, retryTimer: undefined, backoffMs: 1000 }));
  }

  /** Connects every server; resolves when each has connected or failed once (failed ones keep retrying). */
  async start(): Promise<void> {
    await Promise.all(this.#members.map((m) => this.#connect(m)));
    this.#gauge();
  }

  healthy(m: Member): boolean {
    return m.ms !== undefined && this.#now() - m.lastHeartbeat <= this.#o.heartbeatTimeoutSec * 1000;
  }

  /** The server for a new call, or undefined when none is healthy (the call is refused 503). */
  pick(): FsMediaServer | undefined {
    let best: Member | undefined;
    let bestFree = -Infinity;
    for (const m of this.#members) {
      if (!this.healthy(m)) continue;
      const free = (m.ms!.maxSessions || 1000) - (m.ms!.currentSessions || 0);
      if (free > bestFree) {
        best = m;
        bestFree = free;
      }
    }
    this.#gauge();
    return best?.ms;
  }

  close(): void {
    this.#closed = true;
    for (const m of this.#members) {
      if (m.retryTimer) clearTimeout(m.retryTimer);
      m.ms?.disconnect();
      m.ms = undefined;
    }
    this.#gauge();
  }

  async #connect(m: Member): Promise<void> {
    if (this.#closed) return;
    try {
      const ms = await this.#o.connect(m.cfg);
      m.ms = ms;
      m.lastHeartbeat = this.#now();
      m.backoffMs = 1000;
      ms.conn.on('esl::event::HEARTBEAT::*', () => (m.lastHeartbeat = this.#now()));
      const lost = (): void => {
        if (m.ms !== ms) return;
        m.ms = undefined;
        this.#o.log.warn({ server: m.cfg.address }, 'freeswitch connection lost');
        this.#gauge();
        this.#retry(m);
      };
      ms.on('end', lost);
      ms.on('error', lost);
      this.#o.log.info({ server: m.cfg.address }, 'freeswitch connected');
    } catch (err) {
      this.#o.log.warn({ server: m.cfg.address, err: (err as Error).message }, 'freeswitch connection failed');
      this.#retry(m);
    }
    this.#gauge();
  }

  #retry(m: Member): void {
    if (this.#closed || m.retryTimer) return;
    m.retryTimer = setTimeout(() => {
      m.retryTimer = undefined;
      void this.#connect(m);
    }, m.backoffMs);
    m.backoffMs = Math.min(30_000, m.backoffMs * 2);
  }

  #gauge(): void {
    const up = this.#members.filter((m) => this.healthy(m)).length;
    metrics.freeswitchServers.set({ health: 'up' }, up);
    metrics.freeswitchServers.set({ health: 'down' }, this.#members.length - up);
  }
}

/** Production connector: one drachtio-fsmrf `Mrf` bound to the drachtio-srf app. */
export function fsmrfConnector(srf: unknown, profile: string, listenAddress: string): (cfg: FsServerConfig) => Promise<FsMediaServer> {
  const Mrf = createRequire(import.meta.url)('drachtio-fsmrf') as new (srf: unknown) => { connect(o: Record<string, unknown>): Promise<FsMediaServer> };
  const mrf = new Mrf(srf);
  // listenAddress: fsmrf binds its outbound-socket server to the first non-loopback IPv4 otherwise.
  return async (cfg) => {
    const ms = await mrf.connect({ address: cfg.address, port: cfg.port, secret: cfg.secret, listenAddress, profile });
    // The inbound event socket carries the server-wide api commands (esl-nodelay.ts).
    eslNoDelay(ms.conn);
    return ms;
  };
}
