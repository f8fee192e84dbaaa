import { ConfigError } from '../gateway/errors.ts';
import { formatKeyPath, type PathSegment } from './key-path.ts';

/**
 * The few settings the environment may override, so tests and containers can move ports without
 * editing a file. Secrets are read by the providers themselves, not here.
 */
const PORT_VARS: ReadonlyArray<readonly [string, readonly (readonly PathSegment[])[]]> = [
  ['TRUNKLINE_SIP_PORT', [['sip', 'udpPort'], ['sip', 'tcpPort']]],
  ['TRUNKLINE_HTTP_PORT', [['http', 'port']]],
  ['TRUNKLINE_RTP_PORT_MIN', [['rtp', 'portMin']]],
  ['TRUNKLINE_RTP_PORT_MAX', [['rtp', 'portMax']]],
];

export interface EnvOverlay {
  readonly overlay: Record<string, unknown>;
  /** Which variable set which key path, so a schema error can say where the bad value came from. */
  readonly sources: ReadonlyMap<string, string>;
}

export function envOverlay(env: NodeJS.ProcessEnv): EnvOverlay {
  const overlay: Record<string, unknown> = {};
  const sources = new Map<string, string>();
  const set = (path: readonly PathSegment[], value: unknown, name: string): void => {
    let node = overlay;
    for (const seg of path.slice(0, -1)) node = (node[seg as string] ??= {}) as Record<string, unknown>;
    node[path[path.length - 1] as string] = value;
    sources.set(formatKeyPath(path), name);
  };
  for (const [name, paths] of PORT_VARS) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    if (!/^\d{1,5}$/.test(raw.trim())) {
      throw new ConfigError(formatKeyPath(paths[0]!), `${name}=${JSON.stringify(raw)} is not a port number`, `set ${name} to an integer between 0 and 65535, or unset it`);
    }
    for (const p of paths) set(p, Number(raw.trim()), name);
  }
  const bind = env.TRUNKLINE_BIND;
  if (bind !== undefined && bind !== '') set(['sip', 'bind'], bind.trim(), 'TRUNKLINE_BIND');
  return { overlay, sources };
}
