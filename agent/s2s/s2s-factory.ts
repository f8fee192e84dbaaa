import type { Logger } from 'pino';
import type { CodecInfo } from '../../codecs/types.ts';
import type { Config, S2sConfig } from '../../config/types.ts';
import { ConfigError } from '../../gateway/errors.ts';
import { OpenAIRealtimeProvider } from '../providers/s2s/openai-realtime.ts';
import type { S2sAudioFormat, S2sProvider, S2sSessionSettings } from '../providers/s2s/types.ts';
import type { AgentCallContext, AgentFactory } from '../types.ts';
import { S2sSession } from './s2s-session.ts';
import { ToolRunner } from './tool-runner.ts';
import { BUILTIN_TOOLS, type S2sTool } from './tools.ts';

export interface S2sFactory extends AgentFactory {
  readonly kind: 's2s';
  create(ctx: AgentCallContext): S2sSession;
  /** The same agent with a persona's overrides (base URL, model, voice) from `agent.s2s.personas`. */
  forPersona(name: string): AgentFactory;
}

/** Builds the provider for one call; tests replace it. */
export type S2sProviderFactory = (settings: S2sSessionSettings, target: { model: string; baseUrl: string | undefined }) => S2sProvider;

/**
 * G.711 calls talk G.711 to the model when allowed (no resampling, no transcoding loss: μ-law
 * decode→encode is the identity but for negative zero); everything else is PCM16 at the model's 24 kHz.
 */
export function audioFormatFor(codec: CodecInfo, passthrough: boolean): S2sAudioFormat {
  if (passthrough && codec.name === 'PCMU') return 'pcmu';
  if (passthrough && codec.name === 'PCMA') return 'pcma';
  return 'pcm16';
}

export function createS2sFactory(cfg: S2sConfig, apiKey: string, log: Logger, makeProvider?: S2sProviderFactory): S2sFactory {
  const tools: S2sTool[] = cfg.tools.map((n) => BUILTIN_TOOLS[n]!).filter(Boolean);
  // Schemas compile once here, so a broken one stops start-up rather than a call.
  new ToolRunner(tools);
  const provider: S2sProviderFactory =
    makeProvider ?? ((settings, target) => new OpenAIRealtimeProvider({ apiKey, model: target.model, baseUrl: target.baseUrl, connectTimeoutMs: cfg.connectTimeoutMs, settings }));
  const build = (persona: string | undefined): AgentFactory & { create(ctx: AgentCallContext): S2sSession } => {
    const over = persona !== undefined ? cfg.personas[persona] : undefined;
    if (persona !== undefined && !over) throw new ConfigError(`agent.s2s.personas.${persona}`, 'no such persona override', 'declare it under agent.s2s.personas');
    const model = over?.model ?? cfg.model;
    const baseUrl = over?.baseUrl ?? cfg.baseUrl;
    return {
      kind: 's2s',
      create(ctx) {
        // A routed call carries its persona (policies/personas.ts): its instructions, voice, tools
        // and greeting win over this section's defaults; its name selects the endpoint override.
        const persona = ctx.policy?.persona;
        const pOver = persona ? cfg.personas[persona.name] : undefined;
        const settings: S2sSessionSettings = {
          instructions: persona?.instructions ?? cfg.instructions,
          voice: pOver?.voice ?? over?.voice ?? persona?.voice ?? cfg.voice,
          tools: ctx.policy ? ctx.policy.tools.declarations() : tools,
          turnDetection:
            cfg.turnDetection.type === 'semantic_vad'
              ? { type: 'semantic_vad', eagerness: cfg.turnDetection.eagerness }
              : { type: 'server_vad', threshold: cfg.turnDetection.threshold, prefixPaddingMs: cfg.turnDetection.prefixPaddingMs, silenceDurationMs: cfg.turnDetection.silenceDurationMs },
          noiseReduction: cfg.noiseReduction,
          transcriptionModel: cfg.transcriptionModel,
          audioFormat: audioFormatFor(ctx.leg.codec, cfg.g711Passthrough),
        };
        return new S2sSession(ctx, {
          provider: provider(settings, { model: pOver?.model ?? model, baseUrl: pOver?.baseUrl ?? baseUrl }),
          tools: new ToolRunner(tools),
          greeting: persona?.greeting ? `Greet the caller by saying exactly: "${persona.greeting}"` : cfg.greeting,
          responseTimeoutMs: cfg.responseTimeoutMs,
        });
      },
    };
  };
  log.info({ model: cfg.model, tools: cfg.tools, baseUrl: cfg.baseUrl ?? 'OPENAI_BASE_URL or default' }, 's2s agent ready');
  return { ...build(undefined), kind: 's2s', forPersona: (name) => build(name) };
}

/**
 * The s2s entry of the gateway's agent factories: present when OPENAI_API_KEY is set; a config that
 * asks for s2s without the key stops start-up with a clear error (never a silent fallback).
 */
export function s2sFactoryFor(config: Config, env: NodeJS.ProcessEnv, log: Logger): { s2s?: S2sFactory } {
  const key = env.OPENAI_API_KEY;
  if (key) return { s2s: createS2sFactory(config.agent.s2s, key, log) };
  if (config.agent.default === 's2s') {
    throw new ConfigError('agent.default', 'is s2s but OPENAI_API_KEY is not set', 'export OPENAI_API_KEY (never put keys in the config file), or choose default: menu');
  }
  return {};
}
