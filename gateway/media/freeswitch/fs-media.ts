import { randomBytes, randomUUID } from 'node:crypto';
import type { CodecInfo } from '../../../codecs/types.ts';
import { MediaError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { metrics } from '../../metrics.ts';
import type { Pacer } from '../pacer.ts';
import type { ResamplerFactory } from '../playout.ts';
import { eslNoDelay } from './esl-nodelay.ts';
import { forkRateFor } from './fork-buffering.ts';
import type { ForkServer } from './fork-server.ts';
import { FreeswitchLeg } from './freeswitch-leg.ts';
import type { FsPool } from './fs-pool.ts';

export interface FsMediaOptions {
  readonly pool: FsPool;
  readonly forkServer: ForkServer;
  /** Host in the ws:// URL FreeSWITCH connects to. */
  readonly forkHost: string;
  /** Used only when FreeSWITCH does not tell the channel's rate (the fork runs at that rate: fork-buffering.ts). */
  readonly sampleRate: 8000 | 16000;
  readonly streaming: boolean;
  readonly metadataTimeoutMs: number;
  readonly pacer: Pacer;
  readonly mediaTimeoutSec: number;
  readonly makeResampler: ResamplerFactory;
}

/** The bug name is always given (with the stream sample rate): without both, `forkAudioStop` fails (reference page). */
const BUGNAME = 'trunkline';

/**
 * Opens a FreeSWITCH media leg for one call. This is drachtio-fsmrf's `connectCaller` split into its
 * halves so signalling and media stay apart: here `createEndpoint` with the caller's media (only the
 * negotiated codec, so FreeSWITCH cannot pick another) — the call layer then answers the caller with
 * FreeSWITCH's address — and `forkAudioStart` to our WebSocket server, the socket matched by metadata.
 */
export async function openFreeswitchLeg(o: FsMediaOptions, callerSdp: string, codec: CodecInfo, log: Logger): Promise<{ leg: FreeswitchLeg; address: string; port: number }> {
  const ms = o.pool.pick();
  if (!ms) throw new MediaError('no healthy freeswitch server', 503);
  let ep;
  try {
    ep = await ms.createEndpoint({ remoteSdp: callerSdp, codecs: [codec.name] });
  } catch (err) {
    metrics.freeswitchEndpointErrors.inc({ op: 'create' });
    throw new MediaError(`freeswitch endpoint: ${(err as Error).message}`, 503);
  }
  const callId = randomUUID();
  const token = randomBytes(16).toString('hex');
  const socket = o.forkServer.expect(callId, token, o.metadataTimeoutMs);
  // Before the first api on the channel's socket (uuid_audio_fork): ~40 ms less per command.
  eslNoDelay((ep as { _conn?: unknown })._conn);
  // The channel's own rate, so mod_audio_fork does not resample what we stream (which loses marks).
  const sampleRate = forkRateFor(channelReadRate(ep), o.sampleRate);
  const rate = String(sampleRate);
  try {
    await (ep as unknown as { forkAudioStart(a: Record<string, unknown>): Promise<void> }).forkAudioStart({
      wsUrl: `ws://${o.forkHost}:${o.forkServer.port}/fork`,
      mixType: 'mono',
      sampling: rate,
      bugname: BUGNAME,
      metadata: { callId, token },
      bidirectionalAudio: { enabled: 'true', streaming: o.streaming ? 'true' : 'false', sampleRate: rate },
    });
    const leg = new FreeswitchLeg({
      endpoint: ep,
      socket: await socket,
      sampleRate,
      streaming: o.streaming,
      codec,
      pacer: o.pacer,
      log,
      mediaTimeoutSec: o.mediaTimeoutSec,
      makeResampler: o.makeResampler,
    });
    return { leg, address: ep.local.mediaIp, port: Number(ep.local.mediaPort) };
  } catch (err) {
    o.forkServer.forget(callId);
    socket.catch(() => undefined);
    metrics.freeswitchEndpointErrors.inc({ op: 'fork' });
    await ep.destroy().catch(() => undefined);
    throw new MediaError(`audio fork: ${(err as Error).message}`, 503);
  }
}

/**
 * The channel's `read_rate` from the channel data FreeSWITCH sent when its outbound socket connected
 * (drachtio-fsmrf 4.1.2 keeps that connection in the Endpoint's `_conn`): no `uuid_getvar` round trip
 * on the event socket before every answer.
 */
function channelReadRate(ep: unknown): string | undefined {
  try {
    const conn = (ep as { _conn?: { getInfo?: () => { getHeader(name: string): string | undefined } | undefined } })._conn;
    return conn?.getInfo?.()?.getHeader('variable_read_rate');
  } catch {
    return undefined;
  }
}
