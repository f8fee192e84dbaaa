import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { MediaError } from '../../errors.ts';

/**
 * RTP ports for calls. RFC 3550 §11: RTP uses an even port and RTCP the next odd one, so the pool
 * hands out even ports only and each one implies its pair. A released port waits in quarantine
 * before reuse, so late packets of an ended call never reach the next call on the same port.
 */
/** The range as config names it (`rtp.portMin/portMax`), or the short form. */
export type PortRange = { readonly portMin: number; readonly portMax: number } | { readonly min: number; readonly max: number };

export type PortPoolOptions = PortRange & {
  /** How long a released port is held back before it is handed out again. */
  readonly quarantineMs?: number;
  readonly now?: () => number;
};

export class PortPool {
  readonly #quarantineMs: number;
  readonly #now: () => number;
  /** Free ports, oldest release first: the head is the first to come out of quarantine. */
  readonly #free: { port: number; releasedAt: number }[] = [];
  readonly #inUse = new Set<number>();

  constructor(opts: PortPoolOptions) {
    const [min, max] = 'portMin' in opts ? [opts.portMin, opts.portMax] : [opts.min, opts.max];
    const first = min + (min % 2);
    // The RTCP port (+1) of the last pair must be inside the range too.
    for (let p = first; p + 1 <= max; p += 2) this.#free.push({ port: p, releasedAt: -Infinity });
    this.#quarantineMs = opts.quarantineMs ?? 10_000;
    this.#now = opts.now ?? (() => performance.now());
  }

  /** Ports that could be handed out now. */
  get available(): number {
    const now = this.#now();
    return this.#free.filter((f) => now - f.releasedAt >= this.#quarantineMs).length;
  }

  get inUse(): number {
    return this.#inUse.size;
  }

  /** An even port; throws MediaError (503: the call is refused, the trunk may retry elsewhere). */
  allocate(): number {
    const head = this.#free[0];
    if (!head || this.#now() - head.releasedAt < this.#quarantineMs) {
      throw new MediaError(`no free RTP port (${this.#inUse.size} in use, ${this.#free.length} in quarantine)`, 503);
    }
    this.#free.shift();
    this.#inUse.add(head.port);
    return head.port;
  }

  /** Returns a port to the pool behind a quarantine. Releasing a port not in use is a no-op. */
  release(port: number): void {
    if (!this.#inUse.delete(port)) return;
    this.#free.push({ port, releasedAt: this.#now() });
  }
}

export interface BoundRtp {
  readonly port: number;
  readonly rtp: Socket;
  /** RTCP on port+1 for peers without rtcp-mux (RFC 5761); a muxing peer sends RTCP to `rtp`. */
  readonly rtcp: Socket;
}

const MAX_BIND_ATTEMPTS = 20;

function bind(address: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4' });
    const onError = (err: Error): void => {
      socket.close();
      reject(err);
    };
    socket.once('error', onError);
    socket.bind(port, address, () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

/**
 * Binds an RTP/RTCP socket pair on the next free even port. A port some other process holds
 * (EADDRINUSE) goes back to the pool's quarantine and the next one is tried.
 */
export async function bindRtpSocket(pool: PortPool, address: string): Promise<BoundRtp> {
  for (let attempt = 0; attempt < MAX_BIND_ATTEMPTS; attempt++) {
    const port = pool.allocate();
    let rtp: Socket | undefined;
    try {
      rtp = await bind(address, port);
      const rtcp = await bind(address, port + 1);
      return { port, rtp, rtcp };
    } catch (err) {
      rtp?.close();
      pool.release(port);
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') {
        throw new MediaError(`cannot bind RTP socket: ${(err as NodeJS.ErrnoException).code ?? 'unknown error'}`, 503);
      }
    }
  }
  throw new MediaError(`no bindable RTP port after ${MAX_BIND_ATTEMPTS} attempts`, 503);
}
