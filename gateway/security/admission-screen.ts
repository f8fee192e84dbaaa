import type { Config } from '../../config/types.ts';
import { AdmissionPolicy, type Admission, type AdmissionInput, type TrunkCredentials } from '../../policies/admission.ts';
import { ConfigError } from '../errors.ts';
import type { CallRegistry } from '../call/call-registry.ts';
import { metrics } from '../metrics.ts';
import { admissionInput, type RequestScreen } from '../sip/embedded/request-screen.ts';

/**
 * Wires the admission policy (policies/admission.ts) into the embedded UAS as its request screen:
 * trunk credentials from the environment variables the config names (never from the file), call
 * counts from the registry, and one metric per refusal. Mistakes (an unknown trunk, an unset
 * variable) stop start-up with a ConfigError naming the key.
 */
export function createAdmissionScreen(
  config: Config,
  env: Readonly<Record<string, string | undefined>>,
  registry: CallRegistry,
  trunkFor: (address: string) => string | undefined,
): RequestScreen {
  const admit = createAdmission(config, env, registry);
  return (req, source) => admit(admissionInput(req, source, trunkFor(source.address)));
}

/** The admission decision for one out-of-dialog request, counted in the metrics; any signaling backend. */
export type Admit = (input: AdmissionInput) => Admission;

/** The policy behind createAdmissionScreen, without the embedded stack's message types (the drachtio path uses it). */
export function createAdmission(config: Config, env: Readonly<Record<string, string | undefined>>, registry: CallRegistry): Admit {
  const credentials = new Map<string, TrunkCredentials>();
  config.security.auth.trunks.forEach((t, i) => {
    const at = `security.auth.trunks[${i}]`;
    if (!config.trunks.some((k) => k.name === t.trunk)) throw new ConfigError(`${at}.trunk`, `no trunk named "${t.trunk}"`, 'use the name of an entry of trunks');
    const username = env[t.usernameEnv];
    const password = env[t.passwordEnv];
    if (!username) throw new ConfigError(`${at}.usernameEnv`, `environment variable ${t.usernameEnv} is not set`, 'export it before starting the gateway');
    if (!password) throw new ConfigError(`${at}.passwordEnv`, `environment variable ${t.passwordEnv} is not set`, 'export it before starting the gateway');
    credentials.set(t.trunk, { username, password });
  });
  const policy = new AdmissionPolicy({
    security: config.security,
    maxConcurrent: config.calls.maxConcurrent,
    credentials,
    activeCalls: (trunk) => ({ total: registry.size, trunk: registry.all().filter((c) => c.info.trunk === trunk).length }),
  });
  return (input) => {
    const verdict = policy.decide(input, performance.now());
    if (input.method === 'INVITE' && credentials.has(input.trunk ?? '')) {
      metrics.authResults.inc({ result: authResult(verdict.action === 'pass' ? undefined : verdict.reason) });
    }
    if (verdict.action !== 'pass') metrics.admissionRefused.inc({ reason: verdict.reason, action: verdict.action });
    return verdict;
  };
}

function authResult(reason: string | undefined): string {
  switch (reason) {
    case undefined:
      return 'ok';
    case 'auth-required':
      return 'challenged';
    case 'auth-failed':
      return 'failed';
    case 'auth-stale':
      return 'stale';
    case 'locked-out':
      return 'locked-out';
    default:
      return 'other';
  }
}
