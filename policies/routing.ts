import type { Band } from '../codecs/types.ts';

/**
 * Routing: which agent answers a call, with which persona, or whether the call is moved on or
 * refused. A pure function of the call's facts and the configured policy (design §1, §4.4), so it is
 * tested over a table of cases and never touches SIP or media.
 *
 * Precedence, most specific last, field by field: the default rule ← the trunk's override ← the
 * dialed number's override (exact, else the longest `prefix*`) ← the first header rule that matches.
 * So a trunk may set the persona and one number on it the agent, and both apply.
 */
export type AgentKind = 'menu' | 'cascade' | 's2s';
export const AGENT_KINDS: readonly AgentKind[] = ['menu', 'cascade', 's2s'];

export interface RouteRule {
  /** The agent path; wins over `byBand`. */
  readonly agent?: AgentKind;
  /** The agent path by the negotiated codec's band (G.711 is narrow, G.722/Opus wide). */
  readonly byBand?: Partial<Readonly<Record<Band, AgentKind>>>;
  /** Agents tried, in order, when the one before fails mid-call (e.g. [cascade, menu]); default: those after the primary in s2s → cascade → menu. */
  readonly fallback?: readonly AgentKind[];
  readonly persona?: string;
  /** Moves the call on before answering (SIP 302 to this URI, RFC 3261 §21.3.3). */
  readonly transfer?: string;
  /** Refuses the call with this final status (RFC 3261 §21.4–21.6). */
  readonly reject?: { readonly status: number; readonly reason?: string };
}

export interface HeaderRule extends RouteRule {
  /** Header (lower-case name) whose value must match `pattern` (a regular expression, case-insensitive); optional trunk. */
  readonly match: { readonly header: string; readonly pattern: string; readonly trunk?: string };
}

export interface RoutingPolicy {
  readonly default: RouteRule;
  readonly trunks: Readonly<Record<string, RouteRule>>;
  readonly numbers: Readonly<Record<string, RouteRule>>;
  readonly headerRules: readonly HeaderRule[];
}

export interface RouteInput {
  readonly band: Band;
  readonly trunk?: string;
  readonly dialed: string;
  /** Kept inbound headers, lower-case names (CallInfo.headers). */
  readonly headers: Readonly<Record<string, string>>;
  /** Agent kinds this gateway can run now (a kind without a configured provider is absent). */
  readonly available: ReadonlySet<AgentKind>;
}

/** Which override(s) shaped the decision, for the audit log and logs (no personal data: numbers are not named). */
export type RouteSource = 'default' | 'trunk' | 'number' | 'header';

export type RouteDecision =
  | { readonly action: 'agent'; readonly agents: readonly AgentKind[]; readonly persona: string; readonly matched: readonly RouteSource[] }
  | { readonly action: 'transfer'; readonly target: string; readonly matched: readonly RouteSource[] }
  | { readonly action: 'reject'; readonly status: number; readonly reason: string; readonly matched: readonly RouteSource[] };

const DEFAULT_PERSONA = 'default';
/** Without a configured fallback, the kinds after the primary in this order (design §1: s2s → cascade → menu). */
const FALLBACK_ORDER: readonly AgentKind[] = ['s2s', 'cascade', 'menu'];

export function route(policy: RoutingPolicy, input: RouteInput): RouteDecision {
  const layers: Array<[RouteSource, RouteRule]> = [['default', policy.default]];
  const trunkRule = input.trunk !== undefined ? own(policy.trunks, input.trunk) : undefined;
  if (trunkRule) layers.push(['trunk', trunkRule]);
  const numberRule = matchNumber(policy.numbers, input.dialed);
  if (numberRule) layers.push(['number', numberRule]);
  const headerRule = policy.headerRules.find((r) => headerMatches(r, input));
  if (headerRule) layers.push(['header', headerRule]);

  const rule = merge(layers.map(([, r]) => r));
  const matched = layers.map(([s]) => s);
  // A reject or transfer from the most specific layer that says either wins over an agent choice there.
  if (rule.reject) return { action: 'reject', status: rule.reject.status, reason: rule.reject.reason ?? reasonFor(rule.reject.status), matched };
  if (rule.transfer) return { action: 'transfer', target: rule.transfer, matched };

  const primary = rule.agent ?? rule.byBand?.[input.band] ?? (input.band === 'super' ? rule.byBand?.wide : undefined);
  const fallback = rule.fallback ?? (primary ? FALLBACK_ORDER.slice(FALLBACK_ORDER.indexOf(primary) + 1) : FALLBACK_ORDER);
  const wanted = [...(primary ? [primary] : []), ...fallback];
  const agents = [...new Set(wanted)].filter((k) => input.available.has(k));
  // No agent at all: temporarily unable to serve (RFC 3261 §21.5.4), the trunk may try elsewhere.
  if (agents.length === 0) return { action: 'reject', status: 503, reason: 'Service Unavailable', matched };
  return { action: 'agent', agents, persona: rule.persona ?? DEFAULT_PERSONA, matched };
}

/**
 * Later layers override earlier ones field by field. A layer that names an agent path clears the
 * `reject`/`transfer` of the layers below it, and vice versa, so "this number goes to the agent"
 * beats "this trunk is refused".
 */
function merge(rules: readonly RouteRule[]): RouteRule {
  let out: RouteRule = {};
  for (const r of rules) {
    const decides = r.agent !== undefined || r.byBand !== undefined || r.reject !== undefined || r.transfer !== undefined;
    const base: RouteRule = decides ? { ...out, reject: undefined, transfer: undefined } : out;
    out = { ...base, ...defined(r), byBand: r.byBand ? { ...base.byBand, ...r.byBand } : base.byBand };
  }
  return out;
}

function defined(r: RouteRule): RouteRule {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) if (v !== undefined && k !== 'match') out[k] = v;
  return out as RouteRule;
}

/** Exact number first, then the longest `prefix*` key; '+', spaces, dashes and dots are ignored on both sides. */
export function matchNumber(numbers: Readonly<Record<string, RouteRule>>, dialed: string): RouteRule | undefined {
  const d = normaliseNumber(dialed);
  if (d === '') return undefined;
  let best: { len: number; rule: RouteRule } | undefined;
  for (const [key, rule] of Object.entries(numbers)) {
    const wildcard = key.endsWith('*');
    const k = normaliseNumber(wildcard ? key.slice(0, -1) : key);
    if (!wildcard && k === d) return rule;
    if (wildcard && d.startsWith(k) && (!best || k.length > best.len)) best = { len: k.length, rule };
  }
  return best?.rule;
}

export function normaliseNumber(n: string): string {
  return n.replace(/^\+/, '').replace(/[\s.()-]/g, '');
}

function headerMatches(rule: HeaderRule, input: RouteInput): boolean {
  if (rule.match.trunk !== undefined && rule.match.trunk !== input.trunk) return false;
  const value = own(input.headers, rule.match.header.toLowerCase());
  if (value === undefined) return false;
  // Patterns come from the operator's config (checked at load), never from the caller.
  return new RegExp(rule.match.pattern, 'i').test(value);
}

function own<T>(rec: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(rec, key) ? rec[key] : undefined;
}

function reasonFor(status: number): string {
  const reasons: Record<number, string> = { 403: 'Forbidden', 404: 'Not Found', 480: 'Temporarily Unavailable', 486: 'Busy Here', 503: 'Service Unavailable', 603: 'Decline' };
  return reasons[status] ?? 'Rejected';
}
