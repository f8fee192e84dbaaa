import type { Admission, AdmissionInput } from '../../../policies/admission.ts';
import { forgetUnanswered } from './drachtio-pending.ts';
import type { SrfRequest, SrfResponse } from './drachtio-wire.ts';

/**
 * Admission (policies/admission.ts, issue 8) for requests arriving through drachtio-srf (INVITE and
 * OPTIONS): the same policy as the embedded UAS's request screen, fed from what drachtio-srf really
 * holds (`source_address`, `get('User-Agent')`, drachtio-wire.ts).
 *
 * Digest authentication is out of scope on this path: no Authorization is passed in, and
 * drachtioOptions refuses a config with `security.auth.trunks` (drachtio-server or an SBC in front
 * must authenticate; source allowlists still apply through the trunk matcher).
 */
export function drachtioAdmissionInput(req: SrfRequest, trunk: string | undefined): AdmissionInput {
  return { method: req.method, source: req.source_address, userAgent: req.get('User-Agent'), trunk, authorization: [], uri: req.uri };
}

/**
 * Carries out a refusal. 'reply' sends the policy's status and headers (503 + Retry-After, the
 * uniform 403 for a source of no trunk). 'drop' sends nothing, as on the embedded path. What
 * drachtio-server 0.9.10 does with an INVITE its app never answers (seen on the real server,
 * /work/notes/prod-run.md "Failure behaviour"): it has already sent 100 Trying itself, statelessly,
 * before the app saw the INVITE (so the caller stops retransmitting, RFC 3261 §17.1.1.2, and waits);
 * then nothing — no 408, no 500, no retransmission (80 s watched); it discards the caller's
 * retransmissions and forgets the request after 64 s (pending-request-controller.cpp, CLIENT_TIMEOUT).
 * So its state is bounded, and a drop reflects nothing beyond that 100. Answering instead would make
 * drachtio-server retransmit the final response until Timer H (~10 packets per spoofable UDP INVITE).
 * drachtio-srf, though, keeps every unanswered INVITE for ever: it is told to forget it here.
 */
export function refuse(req: SrfRequest, res: SrfResponse, verdict: Exclude<Admission, { action: 'pass' }>): void {
  if (verdict.action === 'drop') {
    if (req.method === 'INVITE') forgetUnanswered(req);
    return;
  }
  const headers: Record<string, string> = {};
  // drachtio-srf takes one string per header; several challenges fold into one value (RFC 7235 §4.1).
  for (const [name, value] of Object.entries(verdict.headers)) headers[name] = typeof value === 'string' ? value : value.join(', ');
  res.send(verdict.status, { headers });
}
