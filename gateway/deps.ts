import { createMenuFactory } from '../agent/menu/menu-factory.ts';
import { s2sFactoryFor } from '../agent/s2s/s2s-factory.ts';
import { cascadeFactoryFor } from '../agent/cascade/factory.ts';
import type { AgentFactory } from '../agent/types.ts';
import type { Band } from '../codecs/types.ts';
import { chooseAgents, type AgentFactories } from './call/choose-agents.ts';
import { buildPolicyWiring } from './call/policy-wiring.ts';
import type { CallInfo } from './sip/call-info.ts';
import { EspeakTts } from '../agent/providers/tts/espeak.ts';
import { createResampler } from '../codecs/index.ts';
import type { Config } from '../config/types.ts';
import { compileTrunkMatcher } from '../policies/trunk-match.ts';
import { CallRegistry } from './call/call-registry.ts';
import { runCall } from './call/call-runner.ts';
import { startHttp } from './http.ts';
import type { Logger } from './log.ts';
import { metrics } from './metrics.ts';
import { Pacer } from './media/pacer.ts';
import { PortPool } from './media/rtp/port-pool.ts';
import { RtpLeg } from './media/rtp/rtp-leg.ts';
import { EmbeddedSignaling } from './sip/embedded/uas.ts';
import { createAdmission, createAdmissionScreen } from './security/admission-screen.ts';
import { drainCalls } from './drain.ts';
import type { Signaling, SipDialog } from './sip/dialog.ts';
import { DrachtioSignaling } from './sip/drachtio/drachtio-signaling.ts';
import { drachtioOptions } from './sip/drachtio/drachtio-options.ts';
import { startFreeswitchBackend, type FreeswitchBackend } from './media/freeswitch/fs-backend.ts';
import { answerSdp, type MediaPlan } from './call/media-plan.ts';
import { ReservedPort } from './media/reserved-port.ts';
import type { CallRunnerDeps } from './call/call-runner.ts';
import { TwilioStreamServer } from './media/twilio/twilio-server.ts';
import { twilioServerOptions } from './media/twilio/twilio-options.ts';

/**
 * The composition root: builds every long-lived part once and wires them. Nothing else constructs
 * infrastructure, so tests and the drachtio backend can swap parts here.
 */
export interface Gateway {
  readonly sipUris: readonly string[];
  readonly httpPort: number;
  readonly registry: CallRegistry;
  /** Stops new calls (503), keeps current ones; resolves when the last call has ended or `maxMs` passed. */
  drain(maxMs: number): Promise<void>;
  close(): Promise<void>;
}

export async function buildGateway(config: Config, log: Logger): Promise<Gateway> {
  const pacer = new Pacer({
    onSkip: (ticks) => metrics.pacerSkippedTicks.inc(ticks),
    onTickError: (err) => {
      metrics.callErrors.inc({ stage: 'pacer-tick' });
      log.error({ err }, 'media tick failed');
    },
  });
  const pool = new PortPool({ min: config.rtp.portMin, max: config.rtp.portMax, quarantineMs: config.security.media.portQuarantineMs });
  const registry = new CallRegistry();
  const tts = new EspeakTts({ voice: config.agent.menu.tts.voice, speed: config.agent.menu.tts.speed, cacheDir: config.agent.menu.tts.cacheDir, log });
  const menu = createMenuFactory(config.agent.menu, tts, log);
  // Synthesise every prompt before the first call, so the greeting starts at once.
  await menu.prewarm([8000]);

  // Every agent kind this gateway can run; a kind whose provider is not configured is absent.
  const agentFactories: AgentFactories = { menu, ...s2sFactoryFor(config, process.env, log), ...(await cascadeFactoryFor(config, process.env, log)) };
  // Which agents answer a call, first to last (the rest are the fallback chain).
  const agentsFor = (info: CallInfo, band: Band): AgentFactory[] => chooseAgents(config, agentFactories, info, band);
  // Routing, personas, tools (validate → guard → confirm → execute) and the audit log (issue 6).
  const policies = buildPolicyWiring(config, agentFactories, tts);

  let accepting = true;
  const trunkFor = compileTrunkMatcher(config.trunks);
  // Issue 7: FreeSWITCH media (started once drachtio is connected: drachtio-fsmrf sends its INVITEs through it).
  let fsBackend: FreeswitchBackend | undefined;
  const signaling: Signaling = config.signaling.backend === 'drachtio'
    // Issue 8: the same admission policy screens INVITEs through drachtio (no digest auth there).
    ? new DrachtioSignaling(drachtioOptions(config, process.env, trunkFor, log, () => fsBackend?.ready() ?? config.media.backend !== 'freeswitch', createAdmission(config, process.env, registry)))
    : new EmbeddedSignaling({
      config: config.sip, log, trunkFor,
      // Issue 8: admission (rate limits, scanners, digest auth), message limits, RFC 4028 session timers.
      screen: createAdmissionScreen(config, process.env, registry, trunkFor),
      limits: config.security.limits,
      sessionTimers: config.security.sessionTimers,
    });
  const mediaAddress = config.sip.advertise ?? config.sip.bind;
  const run = (dialog: SipDialog, openMedia: CallRunnerDeps['openMedia'], reserveMedia?: CallRunnerDeps['reserveMedia']): void => {
    runCall(dialog, {
      config,
      log,
      registry,
      agentsFor,
      routeFor: policies.routeFor,
      policyFor: policies.policyFor,
      auditFor: policies.auditFor,
      isAccepting: () => accepting,
      openMedia,
      ...(reserveMedia ? { reserveMedia } : {}),
    })
      .then(policies.watch)
      .catch((err: unknown) => {
        metrics.callErrors.inc({ stage: 'runner' });
        log.error({ err }, 'call runner failed');
      });
  };
  signaling.on('invite', (dialog) => {
    // FreeSWITCH gets the caller's media with only the negotiated codec; the caller gets FreeSWITCH's address.
    if (fsBackend) return run(dialog, (plan, callLog) => fsBackend!.open(answerSdp(plan, { address: plan.remote.address, port: plan.remote.port, sessionId: '1', version: 1, direction: 'sendrecv' }), plan.codec, callLog));
    // `from`: a port reserved for an offer-less INVITE, whose leg opens once the ACK's answer names the codec.
    const openRtp = async (plan: MediaPlan, callLog: Logger, from: PortPool = pool): Promise<RtpLeg> => {
      const leg = await RtpLeg.open({
        bindAddress: config.sip.bind,
        pool: from,
        codec: plan.codec,
        telephoneEventPt: plan.telephoneEvent?.payloadType,
        pacer,
        jitter: config.rtp.jitterBufferMs,
        mediaTimeoutSec: config.rtp.mediaTimeoutSec,
        log: callLog,
        makeResampler: createResampler,
        latchWindowMs: config.security.media.latchWindowMs,
        maxPacketsPerSec: config.security.media.maxPacketsPerSec,
      });
      leg.setRemote(plan.remote.address, plan.remote.port);
      if (plan.direction !== 'sendrecv') leg.setDirection(plan.direction);
      return leg;
    };
    run(dialog, async (plan, callLog) => {
      const leg = await openRtp(plan, callLog);
      return { leg, address: mediaAddress, port: leg.localPort };
    }, async () => {
      const held = new ReservedPort(pool);
      return { address: mediaAddress, port: held.port, open: (plan, callLog) => openRtp(plan, callLog, held), release: () => held.releaseUnused() };
    });
  });
  await signaling.start();
  if (config.media.backend === 'freeswitch') fsBackend = await startFreeswitchBackend(config, process.env, (signaling as DrachtioSignaling).srf, pacer, log);
  // Twilio Media Streams (issue 7): each stream is a call with its leg already open.
  const twilio = config.twilio.enabled ? new TwilioStreamServer(twilioServerOptions(config, process.env, pacer, log)) : undefined;
  twilio?.on('call', (dialog, leg) => run(dialog, async () => ({ leg, address: '0.0.0.0', port: 9 })));
  await twilio?.start();

  const http = await startHttp({
    bind: config.http.bind,
    port: config.http.port,
    health: () => ({ draining: !accepting, calls: registry.size }),
  });

  return {
    sipUris: signaling.uris,
    httpPort: http.port,
    registry,
    async drain(maxMs: number) {
      accepting = false;
      signaling.setAccepting(false);
      http.setDraining(true);
      await drainCalls(registry, maxMs, log);
    },
    async close() {
      for (const call of registry.all()) call.end({ result: 'shutdown' });
      await signaling.close();
      await twilio?.close();
      await fsBackend?.close();
      await http.close();
      await policies.audit?.close();
      pacer.stop();
    },
  };
}
