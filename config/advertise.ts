import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

export type InterfaceLister = () => NodeJS.Dict<NetworkInterfaceInfo[]>;

/**
 * The address written in Contact, Via and SDP `c=` (RFC 3261 §18.2.1, RFC 4566 §5.7). A wildcard
 * bind (0.0.0.0 or ::) cannot be advertised, so pick the first non-internal IPv4 address of the
 * machine, else loopback, so calls from this machine still work.
 */
export function resolveAdvertise(bind: string, list: InterfaceLister = networkInterfaces): string {
  if (bind !== '0.0.0.0' && bind !== '::') return bind;
  for (const infos of Object.values(list())) {
    for (const info of infos ?? []) {
      // Node 18.0–18.3 reported family as a number; accept both.
      const v4 = info.family === 'IPv4' || (info.family as unknown) === 4;
      if (v4 && !info.internal) return info.address;
    }
  }
  return '127.0.0.1';
}
