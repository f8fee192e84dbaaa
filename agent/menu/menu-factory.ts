import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { VoiceMenuConfig } from '../../config/types.ts';
import type { TtsProvider } from '../providers/tts/types.ts';
import type { AgentCallContext, AgentFactory } from '../types.ts';
import { menuPrompts } from './menu-machine.ts';
import { MenuSession, type MenuSessionOptions } from './menu-session.ts';

export interface MenuFactory extends AgentFactory {
  readonly kind: 'menu';
  /**
   * Synthesises every prompt at each rate before the first call, so the greeting plays at once.
   * Rejects with the provider's error (e.g. espeak-ng missing) so start-up can say what is wrong.
   */
  prewarm(rates: readonly number[]): Promise<void>;
}

/** At most this many syntheses at once while pre-warming: espeak-ng is a process per prompt. */
const PREWARM_CONCURRENCY = 4;

export function createMenuFactory(cfg: VoiceMenuConfig, tts: TtsProvider, log: Logger, opts: MenuSessionOptions = {}): MenuFactory {
  return {
    kind: 'menu',
    create(ctx: AgentCallContext): MenuSession {
      return new MenuSession(ctx, cfg, tts, opts);
    },
    async prewarm(rates) {
      const started = performance.now();
      const jobs = [...new Set(rates)].flatMap((sampleRate) => menuPrompts(cfg).map((p) => () => tts.synthesize(p.text, { sampleRate })));
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < jobs.length) await jobs[next++]!();
      };
      await Promise.all(Array.from({ length: Math.min(PREWARM_CONCURRENCY, jobs.length) }, worker));
      log.info({ prompts: jobs.length, rates: [...new Set(rates)], ms: Math.round(performance.now() - started), tts: tts.describe() }, 'menu prompts ready');
    },
  };
}
