import type { AgentFactory, AgentSession } from '../../agent/types.ts';
import type { Band } from '../../codecs/types.ts';
import type { Config } from '../../config/types.ts';
import { contextVariables } from '../../policies/call-context.ts';
import { resolvePersona, type ResolvedPersona } from '../../policies/personas.ts';
import { route, type AgentKind, type RouteDecision, type RoutingPolicy } from '../../policies/routing.ts';
import type { CallInfo } from '../sip/call-info.ts';

/** The agent factories built at start-up, by kind; a kind without a configured provider is absent. */
export type AgentFactories = Partial<Record<AgentSession['kind'], AgentFactory>> & { readonly menu: AgentFactory };

/** What the call runner does with an INVITE, after routing (policies/routing.ts). */
export type CallRoute =
  | {
      readonly action: 'agent';
      /** First answers; the rest are the fallback chain (design: s2s → cascade → local voice menu). */
      readonly agents: readonly AgentFactory[];
      readonly persona: ResolvedPersona;
      /** Context variables from allow-listed inbound headers (UUI, X-…, Diversion, History-Info). */
      readonly variables: Readonly<Record<string, string>>;
      readonly decision: RouteDecision;
    }
  | { readonly action: 'transfer'; readonly target: string; readonly decision: RouteDecision }
  | { readonly action: 'reject'; readonly status: number; readonly reason: string; readonly decision: RouteDecision };

/**
 * The routing policy for a config: `routing:` with, when `routing.default` names no agent path,
 * `agent.default` as the default path (so existing configs keep their behaviour).
 */
export function routingPolicy(config: Config): RoutingPolicy {
  const r = config.routing;
  const d = r.default;
  const base = d.agent !== undefined || d.byBand !== undefined ? d : { ...d, agent: config.agent.default as AgentKind };
  return { default: base, trunks: r.trunks, numbers: r.numbers, headerRules: r.headerRules };
}

/** Routes one call: the pure decision, then the factories and the persona it names. */
export function routeCall(config: Config, factories: AgentFactories, info: CallInfo, band: Band, policy: RoutingPolicy = routingPolicy(config)): CallRoute {
  const available = new Set((Object.keys(factories) as AgentKind[]).filter((k) => factories[k] !== undefined));
  const decision = route(policy, { band, ...(info.trunk !== undefined ? { trunk: info.trunk } : {}), dialed: info.dialed, headers: info.headers, available });
  if (decision.action === 'reject') return { action: 'reject', status: decision.status, reason: decision.reason, decision };
  if (decision.action === 'transfer') return { action: 'transfer', target: decision.target, decision };
  const variables = contextVariables(info.headers, config.routing.contextHeaders);
  const spec = config.personas[decision.persona];
  // Config loading checks every persona a rule names exists; the fallback keeps a typo-free path total.
  const persona = resolvePersona(decision.persona, spec ?? { instructions: '', language: 'en-US', vocabulary: [], tools: [], neverSay: [], variables: {}, limits: { maxToolCalls: 0 } }, variables);
  const agents = decision.agents.map((k) => factories[k]).filter((f): f is AgentFactory => f !== undefined);
  return { action: 'agent', agents, persona, variables, decision };
}

/** The agents that serve a call, first to last (kept for callers that need only the chain). */
export function chooseAgents(config: Config, factories: AgentFactories, info: CallInfo, band: Band): AgentFactory[] {
  const r = routeCall(config, factories, info, band);
  return r.action === 'agent' ? [...r.agents] : [];
}
