/**
 * Polls `read` until `ok(value)` holds or `timeoutMs` passes, then returns the last value (the caller
 * asserts on it, so a timeout fails with the real value in the message). Bounded in time and count.
 */
export async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 5000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let v = await read();
  while (!ok(v) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, everyMs));
    v = await read();
  }
  return v;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
