/**
 * Runs a tool by HTTP webhook: POST of JSON `{tool, arguments, callId}` with an `Idempotency-Key`
 * header that stays the same on every retry of one invocation, so a backend that honours it (the
 * IETF httpapi idempotency-key draft, as Stripe does) acts once however many attempts reach it.
 * Each attempt has its own timeout; timeouts, network errors, 429 and 5xx are retried with a short
 * backoff; other 4xx are final. The reply is read up to a size limit and parsed as JSON when it is.
 */
export interface WebhookOptions {
  readonly url: string;
  readonly timeoutMs: number;
  /** Attempts after the first. */
  readonly retries: number;
  readonly maxReplyBytes: number;
  /** Bearer token (read from the environment by the caller; never from the config file). */
  readonly bearer?: string;
  /** For tests: backoff before retry n (1-based), in ms. */
  readonly backoffMs?: (attempt: number) => number;
}

export type ToolFailureCode = 'timeout' | 'http' | 'network' | 'too-large' | 'aborted';

/** A tool that did not run to success; `retryable` says whether the last failure was worth retrying. */
export class ToolExecutionError extends Error {
  override readonly name = 'ToolExecutionError';
  constructor(
    readonly code: ToolFailureCode,
    message: string,
    readonly retryable: boolean,
    readonly attempts: number,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface WebhookReply {
  readonly status: number;
  readonly body: unknown;
  readonly attempts: number;
}

export async function callWebhook(opts: WebhookOptions, payload: { tool: string; arguments: unknown; callId: string }, idempotencyKey: string, signal?: AbortSignal): Promise<WebhookReply> {
  const body = JSON.stringify(payload);
  const backoff = opts.backoffMs ?? ((n: number) => Math.min(1000, 100 * 2 ** (n - 1)));
  let last: ToolExecutionError | undefined;
  for (let attempt = 1; attempt <= opts.retries + 1; attempt++) {
    if (signal?.aborted) throw new ToolExecutionError('aborted', 'call ended', false, attempt - 1);
    if (attempt > 1) await sleep(backoff(attempt - 1), signal);
    try {
      return { ...(await attemptOnce(opts, body, idempotencyKey, attempt, signal)), attempts: attempt };
    } catch (err) {
      last = err instanceof ToolExecutionError ? err : new ToolExecutionError('network', (err as Error).message, true, attempt);
      if (!last.retryable) throw last;
    }
  }
  throw last ?? new ToolExecutionError('network', 'no attempt made', false, 0);
}

async function attemptOnce(opts: WebhookOptions, body: string, key: string, attempt: number, outer?: AbortSignal): Promise<{ status: number; body: unknown }> {
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = outer ? AbortSignal.any([timeout, outer]) : timeout;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', 'idempotency-key': key };
  if (opts.bearer) headers.authorization = `Bearer ${opts.bearer}`;
  let res: Response;
  try {
    res = await fetch(opts.url, { method: 'POST', headers, body, signal, redirect: 'error' });
  } catch (err) {
    if (outer?.aborted) throw new ToolExecutionError('aborted', 'call ended', false, attempt);
    if (timeout.aborted) throw new ToolExecutionError('timeout', `no reply within ${opts.timeoutMs} ms`, true, attempt);
    throw new ToolExecutionError('network', (err as Error).message, true, attempt);
  }
  let text: string;
  try {
    text = await readLimited(res, opts.maxReplyBytes);
  } catch (err) {
    if (err instanceof ToolExecutionError) throw new ToolExecutionError(err.code, err.message, false, attempt, res.status);
    if (timeout.aborted) throw new ToolExecutionError('timeout', `reply not complete within ${opts.timeoutMs} ms`, true, attempt);
    throw new ToolExecutionError('network', (err as Error).message, true, attempt);
  }
  if (!res.ok) {
    const retryable = res.status === 429 || res.status >= 500;
    throw new ToolExecutionError('http', `HTTP ${res.status}`, retryable, attempt, res.status);
  }
  return { status: res.status, body: parseMaybeJson(text) };
}

async function readLimited(res: Response, max: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > max) {
    await res.body?.cancel().catch(() => undefined);
    throw new ToolExecutionError('too-large', `reply of ${declared} bytes exceeds ${max}`, false, 0);
  }
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > max) throw new ToolExecutionError('too-large', `reply exceeds ${max} bytes`, false, 0);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseMaybeJson(text: string): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
}
