import type { Endpoint, SipRequest, Via } from './message.ts';
import { formatVia, parseVia } from './header-values.ts';

/**
 * Records where a request really came from in its top Via, before any response copies it:
 * - RFC 3261 §18.2.1: add `received=<source address>` when the sent-by host differs from it;
 * - RFC 3581 §4: when the client asked with an empty `rport`, fill in `rport=<source port>` and
 *   always add `received`.
 * Responses are then sent to the packet source regardless (symmetric routing, see transport-udp.ts);
 * the parameters tell the client what we saw, e.g. its NAT binding.
 */
export function stampVia(req: SipRequest, source: Endpoint): void {
  const all = req.headers.getAll('Via');
  const top = all[0];
  if (top === undefined) return;
  let via: Via;
  try {
    via = parseVia(top);
  } catch {
    return; // validation answers 400; nothing to stamp
  }
  const wantsRport = via.rport && via.params.get('rport') === undefined;
  const sentByHost = via.host.replace(/^\[|\]$/g, '').toLowerCase();
  const differs = sentByHost !== source.address.toLowerCase();
  if (!wantsRport && !differs) return;
  const params = new Map(via.params);
  params.set('received', source.address);
  if (wantsRport) params.set('rport', String(source.port));
  req.headers.set('Via', [formatVia({ ...via, params }), ...all.slice(1)]);
}
