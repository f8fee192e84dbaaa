import type { Admission, AdmissionInput } from '../../../policies/admission.ts';
import type { Endpoint, SipRequest } from './message.ts';

/**
 * What the UAS does with an out-of-dialog request before any transaction state is spent on it:
 * pass it on, drop it in silence, or answer it with an error (e.g. 401 with a digest challenge).
 */
export type ScreenVerdict =
  | { readonly action: 'pass' }
  | { readonly action: 'drop'; readonly reason: string }
  | { readonly action: 'reply'; readonly reason: string; readonly status: number; readonly headers: Readonly<Record<string, string | string[]>> };

export type RequestScreen = (req: SipRequest, source: Endpoint) => ScreenVerdict;

/** The request as the admission policy (policies/admission.ts) sees it. */
export function admissionInput(req: SipRequest, source: Endpoint, trunk: string | undefined): AdmissionInput {
  return {
    method: req.method,
    source: source.address,
    userAgent: req.headers.get('User-Agent'),
    trunk,
    authorization: req.headers.getAll('Authorization'),
    uri: req.uri,
  };
}

/** Adapts a policy decision to a screen verdict (the shapes agree; this keeps the layers apart). */
export function toVerdict(a: Admission): ScreenVerdict {
  return a;
}
