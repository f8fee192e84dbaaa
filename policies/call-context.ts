/**
 * Context handed over by an IVR or PBX that transferred the call: an allowlist of inbound headers
 * becomes variables a persona's instructions can use ({{uui}}, {{x_customer_id}}…). Pure.
 *
 * Header names: User-to-User (RFC 7433), Diversion (RFC 5806), History-Info (RFC 7044) and the
 * X- extension headers IVRs use for account numbers and intents. Values are caller-controlled
 * input: bounded in length and stripped of control characters before they reach a model's prompt.
 */
export const DEFAULT_CONTEXT_HEADERS: readonly string[] = ['user-to-user', 'diversion', 'history-info', 'x-*'];
const MAX_VALUE_CHARS = 256;
const MAX_VARIABLES = 32;

/** Variable name for a header: lower-case, non-alphanumerics as '_' (x-customer-id → x_customer_id); User-to-User is `uui`. */
export function variableName(header: string): string {
  const lower = header.toLowerCase();
  if (lower === 'user-to-user') return 'uui';
  return lower.replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}

export function contextVariables(headers: Readonly<Record<string, string>>, allow: readonly string[] = DEFAULT_CONTEXT_HEADERS): Record<string, string> {
  const exact = new Set(allow.filter((a) => !a.endsWith('*')).map((a) => a.toLowerCase()));
  const prefixes = allow.filter((a) => a.endsWith('*')).map((a) => a.slice(0, -1).toLowerCase());
  const out: Record<string, string> = {};
  let n = 0;
  for (const [name, raw] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!exact.has(lower) && !prefixes.some((p) => lower.startsWith(p))) continue;
    if (n++ >= MAX_VARIABLES) break;
    const value = lower === 'user-to-user' ? decodeUui(raw) : raw;
    out[variableName(lower)] = clean(value);
  }
  return out;
}

/**
 * RFC 7433 §4: `User-to-User: 56a390f3d2b7310023a2;encoding=hex;purpose=isdn-uui`. Hex (the
 * default encoding) is decoded when it yields printable text; otherwise the data is kept as sent.
 */
export function decodeUui(value: string): string {
  const [data = '', ...params] = value.split(';').map((s) => s.trim());
  const encoding = params.find((p) => p.toLowerCase().startsWith('encoding='))?.slice(9).toLowerCase() ?? 'hex';
  if (encoding !== 'hex' || !/^(?:[0-9a-fA-F]{2})+$/.test(data)) return data;
  const text = Buffer.from(data, 'hex').toString('utf8');
  // ISDN UUI often starts with a protocol discriminator byte (Q.931 §4.5.30); drop a leading one.
  const body = /^[\x00-\x08]/.test(text) ? text.slice(1) : text;
  return /^[\x20-\x7e]*$/.test(body) ? body : data;
}

function clean(v: string): string {
  return v.replace(/[\x00-\x1f\x7f]/g, ' ').trim().slice(0, MAX_VALUE_CHARS);
}
