import type { AgentFactory, AgentSession } from '../../agent/types.ts';
import type { Band } from '../../codecs/types.ts';
import type { Config } from '../../config/types.ts';
import type { CallInfo } from '../sip/call-info.ts';

/** The agent factories built at start-up, by kind; a kind without a configured provider is absent. */
export type AgentFactories = Partial<Record<AgentSession['kind'], AgentFactory>> & { readonly menu: AgentFactory };

/**
 * The agents that serve a call, first to last: the first answers, the rest are the fallback chain.
 * Today: the configured default, then the local voice menu, which needs no provider and is always last.
 * (The routing policy in policies/ replaces this with per-trunk and per-number decisions.)
 */
export function chooseAgents(config: Config, factories: AgentFactories, _info: CallInfo, _band: Band): AgentFactory[] {
  const kinds: AgentSession['kind'][] = [config.agent.default, 'menu'];
  const chain: AgentFactory[] = [];
  for (const kind of kinds) {
    const f = factories[kind];
    if (f && !chain.includes(f)) chain.push(f);
  }
  return chain;
}
