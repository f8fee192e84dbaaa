import type { SipHeaders, SipRequest, SipResponse } from '../../../../../gateway/sip/embedded/message.ts';

/** Minimal messages for transaction tests: transactions never look inside them. */
const noHeaders = {} as SipHeaders;

export function fakeRequest(method: string): SipRequest {
  return { kind: 'request', method, uri: 'sip:x@127.0.0.1', version: 'SIP/2.0', headers: noHeaders, body: Buffer.alloc(0) };
}

export function fakeResponse(status: number): SipResponse {
  return { kind: 'response', status, reason: String(status), version: 'SIP/2.0', headers: noHeaders, body: Buffer.alloc(0) };
}
