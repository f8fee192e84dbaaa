/**
 * message/sipfrag (RFC 3420) as used by REFER's NOTIFYs (RFC 3515 §2.4.5): the body carries at least
 * the status line of the referred call, e.g.
 *
 *   Content-Type: message/sipfrag;version=2.0
 *
 *   SIP/2.0 180 Ringing
 *
 * Only the status line matters to a referrer; any headers after it are ignored.
 */
export const SIPFRAG_TYPE = 'message/sipfrag;version=2.0';

/** The status code of a sipfrag body, or undefined when the body is not a sipfrag status line. */
export function parseSipfragStatus(contentType: string | undefined, body: Buffer): number | undefined {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'message/sipfrag') return undefined;
  // The first line; a body may end without CRLF (RFC 3420 §2: the fragment need not be complete).
  const first = body.toString('latin1', 0, Math.min(body.length, 512)).split(/\r?\n/)[0] ?? '';
  const m = /^SIP\/2\.0\s+([1-6][0-9]{2})(?:\s|$)/i.exec(first.trim());
  return m?.[1] !== undefined ? Number(m[1]) : undefined;
}

/** A sipfrag body holding one status line. */
export function sipfragBody(status: number, reason: string): Buffer {
  return Buffer.from(`SIP/2.0 ${status} ${reason}\r\n`, 'latin1');
}
