import type { Config } from '../../../config/types.ts';
import { ConfigError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import type { Admission, AdmissionInput } from '../../../policies/admission.ts';
import type { DrachtioOptions } from './drachtio-signaling.ts';

/**
 * DrachtioSignaling's options from config; the shared secret only from the environment. Digest
 * authentication is not done on this path (drachtio-admission.ts), so trunks configured to need it
 * stop start-up rather than being let in unauthenticated.
 */
export function drachtioOptions(
  config: Config,
  env: NodeJS.ProcessEnv,
  trunkFor: (a: string) => string | undefined,
  log: Logger,
  mediaReady?: () => boolean,
  admit?: (input: AdmissionInput) => Admission,
): DrachtioOptions {
  const d = config.signaling.drachtio;
  if (config.security.auth.trunks.length > 0) {
    throw new ConfigError('security.auth.trunks', 'digest authentication is not available with signaling.backend drachtio', 'authenticate in drachtio-server or an SBC, and use trunks[].allowedCidrs here');
  }
  const secret = env[d.secretEnv];
  if (!secret) throw new ConfigError('signaling.drachtio.secretEnv', `environment variable ${d.secretEnv} is not set`, 'export the drachtio-server admin secret');
  return { host: d.host, port: d.port, secret, user: config.sip.user, trunkFor, log: log.child({ signaling: 'drachtio' }), ...(mediaReady ? { mediaReady } : {}), ...(admit ? { admit } : {}) };
}
