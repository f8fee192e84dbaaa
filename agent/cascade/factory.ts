import type { Logger } from 'pino';
import type { CascadeConfig } from '../../config/types.ts';
import { EspeakTts } from '../providers/tts/espeak.ts';
import { OpenAiLlm } from '../providers/llm/openai.ts';
import { openAiClient } from '../providers/openai-client.ts';
import { OpenAiStt } from '../providers/stt/openai.ts';
import { OpenAiRealtimeStt } from '../providers/stt/openai-realtime.ts';
import type { SttCallSession, SttProvider } from '../providers/stt/types.ts';
import { OpenAiTts } from '../providers/tts/openai.ts';
import { streamingFromWhole, withFallback, type StreamingTts } from '../providers/tts/streaming.ts';
import { ProviderError } from '../../gateway/errors.ts';
import { metrics } from '../../gateway/metrics.ts';
import { SileroVad } from '../providers/vad/silero.ts';
import type { Vad } from '../providers/vad/types.ts';
import type { AgentCallContext, AgentCallEvent, AgentFactory, AgentSession } from '../types.ts';
import { CascadeSession, type CascadeDeps } from './session.ts';
import { BUILTIN_TOOLS, type CascadeTool } from './tools.ts';
import { DEFAULT_TURN_CONFIG } from './turn-taking.ts';

export interface CascadeFactory extends AgentFactory {
  readonly kind: 'cascade';
  close(): Promise<void>;
}

export interface CascadeFactoryOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Tools beyond the built-in ones (personas add theirs). */
  readonly tools?: readonly CascadeTool[];
  readonly vad?: Vad;
}

/**
 * Builds the providers once (one Silero model shared by every call, one HTTP client per service).
 * Throws ConfigError naming `agent.cascade.<stt|llm|tts>.apiKeyEnv` when a needed key is not set.
 */
export async function createCascadeFactory(cfg: CascadeConfig, log: Logger, opts: CascadeFactoryOptions = {}): Promise<CascadeFactory> {
  const env = opts.env ?? process.env;
  const stt = sttProvider(cfg, env);
  const llm = new OpenAiLlm({ client: openAiClient(cfg.llm, 'agent.cascade.llm', env), model: cfg.llm.model, ...(cfg.llm.temperature !== undefined ? { temperature: cfg.llm.temperature } : {}) });
  // espeak-ng is the local voice: the engine itself, or the fallback for a sentence the remote voice failed.
  const espeak = streamingFromWhole(new EspeakTts({ voice: cfg.tts.engine === 'espeak' && cfg.tts.voice !== 'alloy' ? cfg.tts.voice : 'en-us', speed: cfg.tts.speed, log }));
  const tts: StreamingTts =
    cfg.tts.engine === 'espeak'
      ? espeak
      : withFallback(new OpenAiTts({ client: openAiClient(cfg.tts, 'agent.cascade.tts', env), model: cfg.tts.model, voice: cfg.tts.voice, speed: cfg.tts.speed }), espeak, (err) => {
          metrics.cascadeProviderErrors.inc({ provider: 'tts', retryable: String(err instanceof ProviderError ? err.retryable : true) });
          log.warn({ err }, 'remote voice failed, sentence spoken by espeak-ng');
        });
  const vad = opts.vad ?? (await SileroVad.load({ batch: cfg.vad.batch }));
  const deps: CascadeDeps = {
    vad,
    stt,
    llm,
    tts,
    tools: [...BUILTIN_TOOLS, ...(opts.tools ?? [])],
    turn: { ...DEFAULT_TURN_CONFIG, ...cfg.turn, backchannels: cfg.turn.backchannels ?? DEFAULT_TURN_CONFIG.backchannels },
    instructions: cfg.instructions,
    ...(cfg.greeting ? { greeting: cfg.greeting } : {}),
    vadThreshold: cfg.vad.threshold,
    echo: cfg.echo,
    maxToolRounds: cfg.llm.maxToolRounds,
  };
  log.info({ stt: stt.describe(), llm: llm.describe(), tts: tts.describe(), vad: vad.name }, 'cascade agent ready');
  return {
    kind: 'cascade',
    create: (ctx: AgentCallContext) => {
      // A streaming recogniser gets one session for the whole call, dialled now (before answer).
      const callStt = stt.openCall?.({ sampleRate: ctx.leg.sampleRate, vocabulary: ctx.policy?.persona?.vocabulary ?? [] });
      if (!callStt) return new CascadeSession(ctx, deps);
      return new WithCallStt(new CascadeSession(ctx, { ...deps, stt: callStt }), callStt);
    },
    close: () => vad.close(),
  };
}

/** The recogniser of `agent.cascade.stt.transport`: the Realtime transcription socket or the REST endpoint. */
function sttProvider(cfg: CascadeConfig, env: NodeJS.ProcessEnv): SttProvider {
  const client = openAiClient(cfg.stt, 'agent.cascade.stt', env);
  if (cfg.stt.transport === 'rest') return new OpenAiStt({ client, model: cfg.stt.model, language: cfg.stt.language, vocabulary: cfg.vocabulary, interimEveryMs: cfg.stt.interimEveryMs });
  return new OpenAiRealtimeStt({
    client,
    model: cfg.stt.model,
    language: cfg.stt.language,
    vocabulary: cfg.vocabulary,
    noiseReduction: cfg.stt.noiseReduction,
    format: cfg.stt.audioFormat,
    connectTimeoutMs: cfg.stt.timeoutMs,
    finalTimeoutMs: cfg.stt.timeoutMs,
    maxUtteranceMs: 60_000,
    maxQueuedMs: 10_000,
  });
}

/** The cascade session plus its call's recogniser session, hung up when the agent stops. */
class WithCallStt implements AgentSession {
  readonly kind = 'cascade' as const;
  constructor(
    readonly inner: CascadeSession,
    readonly stt: SttCallSession,
  ) {}

  start(): Promise<void> {
    return this.inner.start();
  }

  notify(event: AgentCallEvent): void {
    this.inner.notify(event);
  }

  async stop(reason: string): Promise<void> {
    try {
      await this.inner.stop(reason);
    } finally {
      this.stt.close();
    }
  }
}

/**
 * The cascade factory when this gateway can run it: when `agent.default` is cascade (then a missing
 * key is a ConfigError naming it) or when the keys it needs are set (so routing may pick it).
 */
export async function cascadeFactoryFor(config: { readonly agent: { readonly default: string; readonly cascade: CascadeConfig } }, env: NodeJS.ProcessEnv, log: Logger): Promise<{ cascade?: CascadeFactory }> {
  const cfg = config.agent.cascade;
  const keyed = [cfg.stt, cfg.llm, ...(cfg.tts.engine === 'openai' ? [cfg.tts] : [])].every((e) => Boolean(env[e.apiKeyEnv]));
  if (config.agent.default !== 'cascade' && !keyed) return {};
  return { cascade: await createCascadeFactory(cfg, log, { env }) };
}
