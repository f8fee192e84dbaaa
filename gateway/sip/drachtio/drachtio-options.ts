import type { Config } from '../../../config/types.ts';
import { ConfigError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import type { DrachtioOptions } from './drachtio-signaling.ts';

/** DrachtioSignaling's options from config; the shared secret only from the environment. */
export function drachtioOptions(config: Config, env: NodeJS.ProcessEnv, trunkFor: (a: string) => string | undefined, log: Logger, mediaReady?: () => boolean): DrachtioOptions {
  const d = config.signaling.drachtio;
  const secret = env[d.secretEnv];
  if (!secret) throw new ConfigError('signaling.drachtio.secretEnv', `environment variable ${d.secretEnv} is not set`, 'export the drachtio-server admin secret');
  return { host: d.host, port: d.port, secret, user: config.sip.user, trunkFor, log: log.child({ signaling: 'drachtio' }), ...(mediaReady ? { mediaReady } : {}) };
}
