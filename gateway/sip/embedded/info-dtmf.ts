import type { InfoDtmf } from '../dialog.ts';

/**
 * SIP INFO bodies (RFC 6086) we understand. DTMF by INFO has no RFC; two de-facto formats exist:
 *
 *   application/dtmf-relay          application/dtmf
 *   ┌────────────────────┐          ┌───┐
 *   │Signal=5            │          │5  │   (some senders use the dtmf-relay syntax here too)
 *   │Duration=160        │          └───┘
 *   └────────────────────┘
 *
 * Signal 10 and 11 stand for '*' and '#' in some gateways' dtmf-relay (the RFC 4733 event numbers).
 */
export type InfoBody =
  | { readonly kind: 'dtmf'; readonly dtmf: InfoDtmf }
  | { readonly kind: 'ignored' } // empty INFO (keep-alive) or a known body we have no use for
  | { readonly kind: 'unsupported' } // 415
  | { readonly kind: 'invalid' }; // 400

const DEFAULT_DURATION_MS = 160;
const IGNORED_TYPES = new Set(['application/media_control+xml', 'application/broadsoft', 'text/plain']);
/** Content types listed in Accept of our 415. */
export const INFO_ACCEPT = 'application/dtmf-relay, application/dtmf';

export function parseInfoBody(contentType: string | undefined, body: Buffer): InfoBody {
  if (body.length === 0) return { kind: 'ignored' };
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/dtmf-relay') return relay(body.toString('latin1'));
  if (type === 'application/dtmf') {
    const text = body.toString('latin1').trim();
    return /signal\s*=/i.test(text) ? relay(text) : digit(text, DEFAULT_DURATION_MS);
  }
  if (IGNORED_TYPES.has(type)) return { kind: 'ignored' };
  return { kind: 'unsupported' };
}

function relay(text: string): InfoBody {
  let signal: string | undefined;
  let duration = DEFAULT_DURATION_MS;
  for (const line of text.split(/\r?\n/).slice(0, 16)) {
    const m = /^\s*([A-Za-z]+)\s*=\s*(\S*)\s*$/.exec(line);
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    if (key === 'signal') signal = m[2];
    else if (key === 'duration' && /^\d{1,6}$/.test(m[2]!)) duration = Number(m[2]);
  }
  if (signal === undefined) return { kind: 'invalid' };
  return digit(signal === '10' ? '*' : signal === '11' ? '#' : signal, duration);
}

function digit(text: string, durationMs: number): InfoBody {
  const d = text.toUpperCase();
  if (!/^[0-9*#A-D]$/.test(d)) return { kind: 'invalid' };
  return { kind: 'dtmf', dtmf: { digit: d, durationMs } };
}
