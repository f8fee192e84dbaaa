import { isIPv4, isIPv6 } from 'node:net';
import type { Config } from './types.ts';
import type { ConfigIssue } from './validate.ts';
import { policyIssues } from './semantic-policies.ts';
import { isAllowedTarget } from '../policies/transfer-targets.ts';

/**
 * Checks JSON Schema cannot express: relations between keys (port ranges, menu references) and
 * values that need parsing (CIDRs). Runs on a schema-valid config, so shapes are trusted here.
 */
export function semanticIssues(cfg: Config): ConfigIssue[] {
  return [...policyIssues(cfg), ...portIssues(cfg), ...trunkIssues(cfg), ...menuIssues(cfg)];
}

function portIssues(cfg: Config): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const { portMin, portMax, jitterBufferMs } = cfg.rtp;
  if (portMin >= portMax) {
    out.push({ path: ['rtp', 'portMin'], problem: `${portMin} is not below rtp.portMax (${portMax})`, fix: 'make rtp.portMin an even port below rtp.portMax, e.g. 20000 and 20999' });
  }
  if (jitterBufferMs.min > jitterBufferMs.max) {
    out.push({ path: ['rtp', 'jitterBufferMs', 'max'], problem: `${jitterBufferMs.max} is below rtp.jitterBufferMs.min (${jitterBufferMs.min})`, fix: 'make max at least min' });
  }
  for (const key of ['udpPort', 'tcpPort'] as const) {
    const port = cfg.sip[key];
    if (port !== 0 && port >= portMin && port <= portMax) {
      out.push({ path: ['sip', key], problem: `${port} lies inside the RTP range ${portMin}–${portMax}`, fix: 'move the SIP port (5060 is usual) or the RTP range apart' });
    }
  }
  const { port } = cfg.http;
  if (port !== 0 && (port === cfg.sip.tcpPort || (port >= portMin && port <= portMax))) {
    out.push({ path: ['http', 'port'], problem: `${port} is already used by SIP over TCP or by the RTP range`, fix: 'pick another port, e.g. 9060' });
  }
  return out;
}

/** A CIDR is an address of the right family and a prefix length within its bits. */
export function parseCidr(cidr: string): { family: 'ipv4' | 'ipv6'; address: string; prefix: number } | undefined {
  const slash = cidr.lastIndexOf('/');
  if (slash < 0) return undefined;
  const address = cidr.slice(0, slash);
  const prefixText = cidr.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (isIPv4(address) && prefix <= 32) return { family: 'ipv4', address, prefix };
  if (isIPv6(address) && prefix <= 128) return { family: 'ipv6', address, prefix };
  return undefined;
}

function trunkIssues(cfg: Config): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const names = new Set<string>();
  cfg.trunks.forEach((trunk, i) => {
    if (names.has(trunk.name)) {
      out.push({ path: ['trunks', i, 'name'], problem: `the name "${trunk.name}" is used by an earlier trunk`, fix: 'give each trunk its own name' });
    }
    names.add(trunk.name);
    trunk.allowedCidrs.forEach((cidr, j) => {
      if (!parseCidr(cidr)) {
        out.push({ path: ['trunks', i, 'allowedCidrs', j], problem: `"${cidr}" is not a valid CIDR`, fix: 'write address/prefix with a prefix of at most 32 for IPv4 or 128 for IPv6, e.g. 203.0.113.0/24' });
      }
    });
  });
  return out;
}

function menuIssues(cfg: Config): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const menu = cfg.agent.menu;
  const names = Object.keys(menu.menus);
  const known = `one of: ${names.join(', ')}`;
  if (!Object.hasOwn(menu.menus, menu.start)) {
    out.push({ path: ['agent', 'menu', 'start'], problem: `"${menu.start}" is not a menu in agent.menu.menus`, fix: `use ${known}` });
  }
  for (const [name, def] of Object.entries(menu.menus)) {
    const digits = new Set<string>();
    def.options.forEach((opt, i) => {
      const at = ['agent', 'menu', 'menus', name, 'options', i];
      if (digits.has(opt.digit)) out.push({ path: [...at, 'digit'], problem: `digit "${opt.digit}" is already used by another option of this menu`, fix: 'give each option its own digit' });
      digits.add(opt.digit);
      if (typeof opt.then === 'object' && 'transfer' in opt.then && !isAllowedTarget(opt.then.transfer, cfg.transfers.allowedTargets)) {
        out.push({ path: [...at, 'then', 'transfer'], problem: `"${opt.then.transfer}" is not in transfers.allowedTargets`, fix: 'add it to transfers.allowedTargets, or transfer elsewhere' });
      }
      if (typeof opt.then === 'object' && 'goto' in opt.then && !Object.hasOwn(menu.menus, opt.then.goto)) {
        out.push({ path: [...at, 'then', 'goto'], problem: `"${opt.then.goto}" is not a menu in agent.menu.menus`, fix: `use ${known}` });
      }
    });
  }
  return out;
}
