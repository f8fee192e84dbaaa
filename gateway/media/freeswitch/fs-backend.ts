import { createResampler } from '../../../codecs/index.ts';
import type { Config } from '../../../config/types.ts';
import type { CodecInfo } from '../../../codecs/types.ts';
import { ConfigError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import type { Pacer } from '../pacer.ts';
import { ForkServer } from './fork-server.ts';
import { openFreeswitchLeg } from './fs-media.ts';
import { FsPool, fsmrfConnector } from './fs-pool.ts';
import type { FreeswitchLeg } from './freeswitch-leg.ts';

export interface FreeswitchBackend {
  readonly ready: () => boolean;
  open(callerSdp: string, codec: CodecInfo, log: Logger): Promise<{ leg: FreeswitchLeg; address: string; port: number }>;
  close(): Promise<void>;
}

/** The FreeSWITCH media backend from config: the server pool (ESL passwords from the environment) and the fork server. */
export async function startFreeswitchBackend(config: Config, env: NodeJS.ProcessEnv, srf: unknown, pacer: Pacer, log: Logger): Promise<FreeswitchBackend> {
  const fs = config.media.freeswitch;
  if (config.signaling.backend !== 'drachtio') throw new ConfigError('media.backend', 'freeswitch media needs signaling.backend: drachtio', 'set signaling.backend to drachtio');
  if (fs.servers.length === 0) throw new ConfigError('media.freeswitch.servers', 'no FreeSWITCH server listed', 'add { address, port, secretEnv }');
  const servers = fs.servers.map((s, i) => {
    const secret = env[s.secretEnv];
    if (!secret) throw new ConfigError(`media.freeswitch.servers[${i}].secretEnv`, `environment variable ${s.secretEnv} is not set`, 'export the event socket password');
    return { address: s.address, port: s.port, secret };
  });
  const flog = log.child({ media: 'freeswitch' });
  const forkServer = new ForkServer({ bind: fs.fork.bind, port: fs.fork.port, metadataTimeoutMs: fs.fork.metadataTimeoutMs, log: flog });
  await forkServer.start();
  const pool = new FsPool({ servers, profile: fs.profile, listenAddress: fs.listenAddress, heartbeatTimeoutSec: fs.heartbeatTimeoutSec, log: flog, connect: fsmrfConnector(srf, fs.profile, fs.listenAddress) });
  await pool.start();
  const opts = {
    pool,
    forkServer,
    forkHost: fs.fork.advertise ?? fs.fork.bind,
    sampleRate: fs.fork.sampleRate,
    streaming: fs.fork.streaming,
    metadataTimeoutMs: fs.fork.metadataTimeoutMs,
    pacer,
    mediaTimeoutSec: config.rtp.mediaTimeoutSec,
    makeResampler: createResampler,
  };
  return {
    ready: () => pool.pick() !== undefined,
    open: (sdp, codec, l) => openFreeswitchLeg(opts, sdp, codec, l),
    async close() {
      pool.close();
      await forkServer.close();
    },
  };
}
