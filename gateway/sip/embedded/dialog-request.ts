import { isIP } from 'node:net';
import type { Endpoint, SipRequest, Transport } from './message.ts';
import { makeRequest } from './serialize.ts';
import { formatNameAddr, parseNameAddr, parseUri } from './header-values.ts';
import { USER_AGENT } from './capabilities.ts';

/** The parts of a UAS dialog that requests we send inside it are built from (RFC 3261 §12.1.1). */
export interface DialogRouting {
  readonly callId: string;
  /** Our URI: the INVITE's To, to which we add our tag. */
  readonly localUri: string;
  readonly localTag: string;
  /** The caller's From, with its tag. */
  readonly remoteUri: string;
  /** Contact of the INVITE. */
  readonly remoteTarget: string;
  /** Record-Route of the INVITE, in order (a UAS keeps the order, §12.1.1). */
  readonly routeSet: readonly string[];
}

/**
 * Builds a request inside the dialog (§12.2.1.1):
 *
 *   route set empty        → Request-URI = remote target, no Route
 *   first route has ;lr    → Request-URI = remote target, Route = route set      (loose routing)
 *   first route lacks ;lr  → Request-URI = first route, Route = rest + <target>  (strict routing)
 *
 *   METHOD <request-uri> SIP/2.0
 *   Via: SIP/2.0/<UDP|TCP> <host>:<port>;branch=z9hG4bK…;rport
 *   Max-Forwards: 70, Route…
 *   From: <localUri>;tag=<localTag>      To: <remoteUri>;tag=<remoteTag>
 *   Call-ID, CSeq: <n> METHOD, User-Agent, extra headers, Content-Length
 */
export function buildInDialogRequest(
  d: DialogRouting,
  method: string,
  cseq: number,
  via: { readonly transport: Transport; readonly host: string; readonly port: number },
  extra: Readonly<Record<string, string>> = {},
): SipRequest {
  const { requestUri, routes } = routeFor(d);
  const local = parseNameAddr(d.localUri);
  const params = new Map(local.params);
  params.set('tag', d.localTag);
  return makeRequest({
    method,
    uri: requestUri,
    via: { transport: via.transport, host: via.host, port: via.port, rport: true },
    from: formatNameAddr({ ...local, params }),
    to: d.remoteUri,
    callId: d.callId,
    cseq,
    route: routes,
    headers: { 'User-Agent': USER_AGENT, ...extra },
  });
}

function routeFor(d: DialogRouting): { requestUri: string; routes: readonly string[]; nextHop: string } {
  const first = d.routeSet[0];
  if (first === undefined) return { requestUri: d.remoteTarget, routes: [], nextHop: d.remoteTarget };
  const firstUri = parseNameAddr(first).uri;
  if (parseUri(firstUri).params.has('lr')) return { requestUri: d.remoteTarget, routes: d.routeSet, nextHop: firstUri };
  return { requestUri: firstUri, routes: [...d.routeSet.slice(1), `<${d.remoteTarget}>`], nextHop: firstUri };
}

/**
 * Where to send a request inside the dialog. The next hop's host when it is an IP literal (port 5060 by
 * default); otherwise — a host name we would have to resolve (RFC 3263), or an unparsable URI — the
 * address the INVITE came from, which is where a trunk's signaling lives in practice. On TCP the
 * connection the INVITE came on is reused (§18.2.2 spirit, RFC 5923), so TCP always goes to the source.
 */
export function nextHopFor(d: DialogRouting, inviteSource: Endpoint): Endpoint {
  if (inviteSource.transport === 'tcp') return inviteSource;
  try {
    const uri = parseUri(routeFor(d).nextHop);
    const host = uri.host.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0) return { address: host, port: uri.port ?? 5060, transport: inviteSource.transport };
  } catch {
    // fall through to the source
  }
  return inviteSource;
}
