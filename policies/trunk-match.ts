import { BlockList, isIPv4, isIPv6 } from 'node:net';

export interface TrunkSource {
  readonly name: string;
  readonly allowedCidrs: readonly string[];
}

/**
 * Which trunk a packet source belongs to: the first trunk whose allowed CIDRs contain the address.
 * Pure and built once (node's BlockList does the prefix matching). IPv4-mapped IPv6 addresses
 * (::ffff:192.0.2.1, as a dual-stack socket reports them) are matched as IPv4.
 */
export function compileTrunkMatcher(trunks: readonly TrunkSource[]): (address: string) => string | undefined {
  const lists = trunks.map((t) => {
    const list = new BlockList();
    for (const cidr of t.allowedCidrs) {
      const [net, bits] = cidr.split('/');
      const type = isIPv6(net ?? '') ? 'ipv6' : 'ipv4';
      list.addSubnet(net ?? '', Number(bits ?? (type === 'ipv6' ? 128 : 32)), type);
    }
    return { name: t.name, list };
  });
  return (address: string) => {
    const mapped = address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
    const type = isIPv6(mapped) ? 'ipv6' : isIPv4(mapped) ? 'ipv4' : undefined;
    if (!type) return undefined;
    return lists.find((l) => l.list.check(mapped, type))?.name;
  };
}
