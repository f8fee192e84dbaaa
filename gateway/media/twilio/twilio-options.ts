import { createResampler } from '../../../codecs/index.ts';
import type { Config } from '../../../config/types.ts';
import { ConfigError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import type { Pacer } from '../pacer.ts';
import type { TwilioServerOptions } from './twilio-server.ts';

/** The Twilio server's options from config; the auth token only from the environment. */
export function twilioServerOptions(config: Config, env: NodeJS.ProcessEnv, pacer: Pacer, log: Logger): TwilioServerOptions {
  const t = config.twilio;
  let authToken: string | undefined;
  if (t.authTokenEnv) {
    authToken = env[t.authTokenEnv];
    if (!authToken) throw new ConfigError('twilio.authTokenEnv', `environment variable ${t.authTokenEnv} is not set`, 'export it or remove twilio.authTokenEnv');
    if (!t.publicUrl) throw new ConfigError('twilio.publicUrl', 'required with twilio.authTokenEnv (the signature covers the URL)', 'set the wss:// URL given to <Stream>');
  }
  return {
    bind: t.bind,
    port: t.port,
    path: t.path,
    trunk: t.trunk,
    startTimeoutMs: t.startTimeoutMs,
    mediaTimeoutSec: config.rtp.mediaTimeoutSec,
    ...(authToken ? { authToken } : {}),
    ...(t.publicUrl ? { publicUrl: t.publicUrl } : {}),
    pacer,
    log: log.child({ ingress: 'twilio' }),
    makeResampler: createResampler,
  };
}
