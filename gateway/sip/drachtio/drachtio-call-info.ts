import type { CallInfo } from '../call-info.ts';
import type { SrfRequest } from './drachtio-wire.ts';

const KEPT = new Set(['user-to-user', 'diversion', 'history-info', 'p-asserted-identity']);
const MAX_KEPT_HEADERS = 32;
const MAX_VALUE_CHARS = 2048;

/** CallInfo from a drachtio-srf INVITE (same rules as the embedded builder: bounded X-/UUI headers). */
export function drachtioCallInfo(req: SrfRequest, trunk: string | undefined): CallInfo {
  const from = safeParsed(req, 'From');
  const to = safeParsed(req, 'To');
  const headers: Record<string, string> = {};
  let kept = 0;
  for (const [name, value] of Object.entries(req.headers ?? {})) {
    const lower = name.toLowerCase();
    if (!KEPT.has(lower) && !lower.startsWith('x-')) continue;
    if (kept++ >= MAX_KEPT_HEADERS) break;
    headers[lower] = String(value).slice(0, MAX_VALUE_CHARS);
  }
  const ua = req.get('User-Agent');
  const transport = String(req.protocol ?? 'udp').toLowerCase();
  return {
    callId: req.get('Call-ID') ?? '',
    from: from?.uri ?? '',
    ...(from?.name ? { fromDisplayName: from.name } : {}),
    to: to?.uri ?? '',
    dialed: dialedOf(req.uri),
    requestUri: req.uri,
    source: { address: req.source_address, port: Number(req.source_port) || 0, transport: transport === 'tcp' || transport === 'tls' || transport === 'ws' ? transport : 'udp' },
    ...(trunk !== undefined ? { trunk } : {}),
    headers,
    ...(ua !== undefined ? { userAgent: ua } : {}),
  };
}

function safeParsed(req: SrfRequest, name: string): { name?: string; uri: string } | undefined {
  try {
    return req.getParsedHeader(name);
  } catch {
    return undefined;
  }
}

function dialedOf(uri: string): string {
  const m = /^(?:sips?:)([^@;]+)@/i.exec(uri) ?? /^tel:([^;]+)/i.exec(uri);
  if (!m?.[1]) return '';
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}
