import type { Clock } from './clock.ts';
import type { SipRequest, SipResponse } from './message.ts';
import type { RequestSender, ResponseSender, ServerTransaction } from './transaction.ts';
import { ServerInviteTransaction } from './transaction-server-invite.ts';
import { ServerNonInviteTransaction } from './transaction-server-non-invite.ts';
import { ClientNonInviteTransaction } from './transaction-client-non-invite.ts';
import { ClientInviteTransaction } from './transaction-client-invite.ts';
import { clientKey, serverKey } from './transaction-key.ts';

/**
 * The live transactions of the UAS, by matching key (§17.1.3, §17.2.3). Each transaction removes
 * itself when it terminates, so the tables hold only what can still match a message.
 */
export class TransactionTable {
  readonly #server = new Map<string, ServerTransaction>();
  readonly #client = new Map<string, ClientNonInviteTransaction | ClientInviteTransaction>();

  constructor(private readonly clock: Clock) {}

  get size(): { server: number; client: number } {
    return { server: this.#server.size, client: this.#client.size };
  }

  /** The server transaction `req` belongs to (a retransmission), or for ACK/CANCEL pass 'INVITE'. */
  findServer(req: SipRequest, method?: string): ServerTransaction | undefined {
    const key = serverKey(req, method);
    return key === undefined ? undefined : this.#server.get(key);
  }

  createServerInvite(req: SipRequest, reliable: boolean, send: ResponseSender, trying: SipResponse, onTimeout?: () => void): ServerInviteTransaction | undefined {
    const key = serverKey(req);
    if (key === undefined) return undefined;
    const tx = new ServerInviteTransaction({
      key, request: req, reliable, clock: this.clock, send, trying,
      ...(onTimeout ? { onTimeout } : {}),
      onTerminated: () => this.#forgetServer(key, tx),
    });
    if (tx.state !== 'terminated') this.#server.set(key, tx);
    return tx;
  }

  createServerNonInvite(req: SipRequest, reliable: boolean, send: ResponseSender): ServerNonInviteTransaction | undefined {
    const key = serverKey(req);
    if (key === undefined) return undefined;
    const tx: ServerNonInviteTransaction = new ServerNonInviteTransaction({
      key, request: req, reliable, clock: this.clock, send,
      onTerminated: () => this.#forgetServer(key, tx),
    });
    this.#server.set(key, tx);
    return tx;
  }

  /** Runs a client transaction for `req`; resolves with the final response, or undefined on Timer F. */
  request(req: SipRequest, reliable: boolean, send: RequestSender): Promise<SipResponse | undefined> {
    const key = clientKey(req);
    if (key === undefined) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const tx: ClientNonInviteTransaction = new ClientNonInviteTransaction({
        key, request: req, reliable, clock: this.clock, send,
        onFinal: resolve,
        onTimeout: () => resolve(undefined),
        onTerminated: () => {
          if (this.#client.get(key) === tx) this.#client.delete(key);
          resolve(undefined); // terminate() at shutdown: settle the waiter
        },
      });
      this.#client.set(key, tx);
      tx.start();
    });
  }

  /**
   * Runs an INVITE client transaction (a re-INVITE we send, §17.1.1); resolves with the first final
   * response, or undefined on Timer B. Retransmitted 2xx go to `onRetransmitted2xx` (the dialog ACKs).
   */
  requestInvite(req: SipRequest, reliable: boolean, send: RequestSender, onRetransmitted2xx: (res: SipResponse) => void): Promise<SipResponse | undefined> {
    const key = clientKey(req);
    if (key === undefined) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const tx: ClientInviteTransaction = new ClientInviteTransaction({
        key, request: req, reliable, clock: this.clock, send,
        onFinal: resolve,
        onRetransmitted2xx,
        onTimeout: () => resolve(undefined),
        onTerminated: () => {
          if (this.#client.get(key) === tx) this.#client.delete(key);
          resolve(undefined);
        },
      });
      this.#client.set(key, tx);
      tx.start();
    });
  }

  /** Hands a response to its client transaction; false when none matches (§18.1.2: drop it). */
  receiveResponse(res: SipResponse): boolean {
    const key = clientKey(res);
    const tx = key === undefined ? undefined : this.#client.get(key);
    if (tx === undefined) return false;
    tx.receiveResponse(res);
    return true;
  }

  terminateAll(): void {
    for (const tx of [...this.#server.values()]) tx.terminate();
    for (const tx of [...this.#client.values()]) tx.terminate();
    this.#server.clear();
    this.#client.clear();
  }

  #forgetServer(key: string, tx: ServerTransaction): void {
    if (this.#server.get(key) === tx) this.#server.delete(key);
  }
}
