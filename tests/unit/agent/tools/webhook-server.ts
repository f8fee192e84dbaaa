import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tool backend for tests on 127.0.0.1 that honours Idempotency-Key like a careful real one: the
 * first request with a key acts (counted in `effects`) and stores its reply; a repeat replays it.
 * `plan` scripts each attempt: delay before replying, status, body.
 */
export interface Attempt {
  readonly delayMs?: number;
  readonly status?: number;
  readonly body?: string;
}

export interface SeenRequest {
  readonly key: string | undefined;
  readonly auth: string | undefined;
  readonly contentType: string | undefined;
  readonly body: unknown;
}

export class ToolBackend {
  readonly seen: SeenRequest[] = [];
  /** Actions really performed, by idempotency key. */
  readonly effects = new Map<string, number>();
  plan: Attempt[] = [];
  #server: Server | undefined;
  readonly #replies = new Map<string, { status: number; body: string }>();

  async start(): Promise<string> {
    this.#server = createServer((req, res) => void this.#handle(req).then(({ status, body, delayMs }) => {
      const t = setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json' }).end(body);
      }, delayMs);
      res.on('close', () => clearTimeout(t));
    }));
    await new Promise<void>((r) => this.#server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/tool`;
  }

  get totalEffects(): number {
    return [...this.effects.values()].reduce((a, b) => a + b, 0);
  }

  async #handle(req: IncomingMessage): Promise<{ status: number; body: string; delayMs: number }> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { arguments?: unknown };
    const key = req.headers['idempotency-key'] as string | undefined;
    this.seen.push({ key, auth: req.headers.authorization, contentType: req.headers['content-type'], body });
    const step = this.plan.shift() ?? {};
    const status = step.status ?? 200;
    const replay = key ? this.#replies.get(key) : undefined;
    if (replay) return { ...replay, delayMs: step.delayMs ?? 0 };
    if (status >= 200 && status < 300) {
      // The action happens now, even if the reply is late: exactly the case retries must not repeat.
      if (key) this.effects.set(key, (this.effects.get(key) ?? 0) + 1);
      const reply = { status, body: step.body ?? JSON.stringify({ done: true, echo: body.arguments }) };
      if (key) this.#replies.set(key, reply);
      return { ...reply, delayMs: step.delayMs ?? 0 };
    }
    return { status, body: step.body ?? '{"error":"x"}', delayMs: step.delayMs ?? 0 };
  }

  async close(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise((r) => this.#server?.close(r));
  }
}
