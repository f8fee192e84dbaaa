import { MediaError } from '../errors.ts';
import { PortPool } from './rtp/port-pool.ts';

/**
 * One RTP port taken from the shared pool before its leg exists. An offer-less INVITE needs it: our
 * 200 carries the offer, so it names the port, but the codec (and so the leg) is known only from the
 * answer in the ACK (RFC 3261 §13.2.1). Passed as the leg's pool, it hands out exactly that port once;
 * the leg's release (or ours, when no leg was opened) returns it to the shared pool and its quarantine.
 */
export class ReservedPort extends PortPool {
  readonly port: number;
  readonly #shared: PortPool;
  #handedOut = false;
  #released = false;

  constructor(shared: PortPool) {
    const port = shared.allocate();
    super({ min: port, max: port + 1, quarantineMs: 0 });
    this.port = port;
    this.#shared = shared;
  }

  override allocate(): number {
    if (this.#handedOut || this.#released) throw new MediaError('reserved RTP port already taken', 503);
    this.#handedOut = true;
    return this.port;
  }

  /** From the leg (close, failed bind) with its port; `releaseUnused` from the call. Idempotent. */
  override release(port: number = this.port): void {
    if (this.#released || port !== this.port) return;
    this.#released = true;
    this.#shared.release(port);
  }

  /** Returns the port when no leg took it (a leg that did releases it on close). */
  releaseUnused(): void {
    if (!this.#handedOut) this.release();
  }
}
