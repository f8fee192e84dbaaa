import type { Admission, AdmissionInput } from '../../../policies/admission.ts';
import type { SrfRequest, SrfResponse } from './drachtio-wire.ts';

/**
 * Admission (policies/admission.ts, issue 8) for INVITEs arriving through drachtio-srf: the same
 * policy as the embedded UAS's request screen, fed from what drachtio-srf really holds
 * (`source_address`, `get('User-Agent')`, drachtio-wire.ts).
 *
 * Digest authentication is out of scope on this path: no Authorization is passed in, and
 * drachtioOptions refuses a config with `security.auth.trunks` (drachtio-server or an SBC in front
 * must authenticate; source allowlists still apply through the trunk matcher).
 */
export function drachtioAdmissionInput(req: SrfRequest, trunk: string | undefined): AdmissionInput {
  return { method: req.method, source: req.source_address, userAgent: req.get('User-Agent'), trunk, authorization: [], uri: req.uri };
}

/**
 * Carries out a refusal. 'drop' answers nothing: drachtio-server has already sent 100 Trying to
 * every INVITE itself (../shared/reference/drachtio-freeswitch.md), so the caller stops
 * retransmitting (RFC 3261 §17.1.1.2) and is told nothing more about us; drachtio-server gives up on
 * a transaction its app never answers (drachtio-server issue #132). 'reply' sends the policy's
 * status and headers (503 + Retry-After, the uniform 403 for a source of no trunk).
 */
export function refuse(res: SrfResponse, verdict: Exclude<Admission, { action: 'pass' }>): void {
  if (verdict.action === 'drop') return;
  const headers: Record<string, string> = {};
  // drachtio-srf takes one string per header; several challenges fold into one value (RFC 7235 §4.1).
  for (const [name, value] of Object.entries(verdict.headers)) headers[name] = typeof value === 'string' ? value : value.join(', ');
  res.send(verdict.status, { headers });
}
