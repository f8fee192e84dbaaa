import type { CallInfo } from '../call-info.ts';
import type { Endpoint, SipRequest } from './message.ts';
import { parseNameAddr, parseUri } from './header-values.ts';

/** Headers kept for routing and IVR context (lower-case names); X-* are kept too. */
const KEPT = new Set(['user-to-user', 'diversion', 'history-info', 'p-asserted-identity']);
const MAX_KEPT_HEADERS = 32;
const MAX_VALUE_CHARS = 2048;

/**
 * What the call layer learns about an INVITE (gateway/sip/call-info.ts). The caller-controlled
 * header values are bounded in count and length; the numbers are personal data and must be logged
 * only under `pii.*` by whoever logs them.
 */
export function buildCallInfo(invite: SipRequest, source: Endpoint, trunk: string | undefined): CallInfo {
  const from = parseNameAddr(invite.headers.get('From') ?? '');
  const to = parseNameAddr(invite.headers.get('To') ?? '');
  const headers: Record<string, string> = {};
  let kept = 0;
  for (const [name, values] of invite.headers.entries()) {
    const lower = name.toLowerCase();
    if (!KEPT.has(lower) && !lower.startsWith('x-')) continue;
    if (kept++ >= MAX_KEPT_HEADERS) break;
    headers[lower] = values.join(', ').slice(0, MAX_VALUE_CHARS);
  }
  const userAgent = invite.headers.get('User-Agent');
  return {
    callId: invite.headers.get('Call-ID') ?? '',
    from: from.uri,
    ...(from.displayName !== undefined ? { fromDisplayName: from.displayName } : {}),
    to: to.uri,
    dialed: dialedOf(invite.uri),
    requestUri: invite.uri,
    source: { address: source.address, port: source.port, transport: source.transport },
    ...(trunk !== undefined ? { trunk } : {}),
    headers,
    ...(userAgent !== undefined ? { userAgent } : {}),
  };
}

/** The user part of a sip:/sips: Request-URI, or the number of a tel: URI, unescaped (§19.1.2). */
function dialedOf(uri: string): string {
  try {
    const parsed = parseUri(uri);
    const raw = parsed.scheme.toLowerCase() === 'tel' ? parsed.host : (parsed.user ?? '');
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  } catch {
    return '';
  }
}
