import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Band } from '../../../codecs/types.ts';
import { matchNumber, route, type AgentKind, type RouteDecision, type RoutingPolicy } from '../../../policies/routing.ts';

const ALL = new Set<AgentKind>(['menu', 'cascade', 's2s']);

const policy: RoutingPolicy = {
  default: { byBand: { narrow: 'cascade', wide: 's2s' } },
  trunks: {
    carrier: { persona: 'support' },
    blocked: { reject: { status: 403 } },
    legacy: { agent: 'menu' },
  },
  numbers: {
    '+15550001': { agent: 's2s', persona: 'sales' },
    '+1555-2*': { transfer: 'sip:desk@pbx.example.com' },
    '+1555-23*': { agent: 'cascade', fallback: ['menu'] },
    '+15559999': { reject: { status: 404, reason: 'Not Found' } },
    '+15558888': { agent: 'cascade' },
  },
  headerRules: [
    { match: { header: 'x-intent', pattern: '^billing$' }, persona: 'billing' },
    { match: { header: 'x-vip', pattern: 'yes', trunk: 'carrier' }, agent: 's2s' },
  ],
};

type Row = [name: string, input: { band?: Band; trunk?: string; dialed?: string; headers?: Record<string, string>; available?: AgentKind[] }, expected: Partial<RouteDecision> & { action: RouteDecision['action'] }];

const rows: Row[] = [
  ['narrowband default goes to cascade, then menu', {}, { action: 'agent', agents: ['cascade', 'menu'], persona: 'default' }],
  ['wideband default goes to s2s → cascade → menu', { band: 'wide' }, { action: 'agent', agents: ['s2s', 'cascade', 'menu'] }],
  ['superwideband uses the wideband choice', { band: 'super' }, { action: 'agent', agents: ['s2s', 'cascade', 'menu'] }],
  ['unavailable kinds are skipped', { band: 'wide', available: ['menu', 'cascade'] }, { action: 'agent', agents: ['cascade', 'menu'] }],
  ['only the menu available', { band: 'wide', available: ['menu'] }, { action: 'agent', agents: ['menu'] }],
  ['nothing available: 503', { available: [] }, { action: 'reject', status: 503 }],
  ['trunk sets the persona, band still picks the agent', { trunk: 'carrier' }, { action: 'agent', agents: ['cascade', 'menu'], persona: 'support', matched: ['default', 'trunk'] }],
  ['trunk refuses', { trunk: 'blocked' }, { action: 'reject', status: 403, reason: 'Forbidden' }],
  ['a number on a refused trunk still routes (more specific)', { trunk: 'blocked', dialed: '+15558888' }, { action: 'agent', agents: ['cascade', 'menu'] }],
  ['trunk forces the menu on any band', { trunk: 'legacy', band: 'wide' }, { action: 'agent', agents: ['menu'] }],
  ['exact number: agent and persona', { trunk: 'carrier', dialed: '+15550001' }, { action: 'agent', agents: ['s2s', 'cascade', 'menu'], persona: 'sales', matched: ['default', 'trunk', 'number'] }],
  ['number without + matches the same key', { dialed: '15550001' }, { action: 'agent', persona: 'sales' }],
  ['prefix: transfer', { dialed: '+15552100' }, { action: 'transfer', target: 'sip:desk@pbx.example.com' }],
  ['longest prefix wins, own fallback', { dialed: '+15552345' }, { action: 'agent', agents: ['cascade', 'menu'] }],
  ['number rejects 404', { dialed: '+15559999' }, { action: 'reject', status: 404, reason: 'Not Found' }],
  ['header rule changes the persona', { headers: { 'x-intent': 'Billing' } }, { action: 'agent', persona: 'billing', matched: ['default', 'header'] }],
  ['header rule limited to a trunk does not fire elsewhere', { headers: { 'x-vip': 'yes' } }, { action: 'agent', agents: ['cascade', 'menu'] }],
  ['header rule on its trunk picks s2s', { trunk: 'carrier', headers: { 'x-vip': 'yes' } }, { action: 'agent', agents: ['s2s', 'cascade', 'menu'], persona: 'support' }],
  ['header rule overrides a number transfer with an agent', { trunk: 'carrier', dialed: '+15552100', headers: { 'x-vip': 'yes' } }, { action: 'agent', agents: ['s2s', 'cascade', 'menu'] }],
  ['an unknown trunk uses the default', { trunk: 'nobody' }, { action: 'agent', agents: ['cascade', 'menu'], matched: ['default'] }],
  ['__proto__ as a trunk name is not a rule', { trunk: '__proto__' }, { action: 'agent', matched: ['default'] }],
];

test('routing over a table of cases', () => {
  for (const [name, i, expected] of rows) {
    const d = route(policy, { band: i.band ?? 'narrow', ...(i.trunk ? { trunk: i.trunk } : {}), dialed: i.dialed ?? '', headers: i.headers ?? {}, available: i.available ? new Set(i.available) : ALL });
    for (const [k, v] of Object.entries(expected)) assert.deepEqual((d as Record<string, unknown>)[k], v, `${name}: ${k} (got ${JSON.stringify(d)})`);
  }
});

test('a default that names one agent falls back along s2s → cascade → menu from there', () => {
  const d = route({ default: { agent: 'cascade' }, trunks: {}, numbers: {}, headerRules: [] }, { band: 'wide', dialed: '', headers: {}, available: ALL });
  assert.deepEqual(d, { action: 'agent', agents: ['cascade', 'menu'], persona: 'default', matched: ['default'] });
  const menuOnly = route({ default: { agent: 'menu' }, trunks: {}, numbers: {}, headerRules: [] }, { band: 'wide', dialed: '', headers: {}, available: ALL });
  assert.equal(menuOnly.action === 'agent' && menuOnly.agents.join(), 'menu');
});

test('number matching ignores separators and prefers exact over prefix', () => {
  const numbers = { '+1 (555) 000-1': { persona: 'a' }, '+1555*': { persona: 'b' } };
  assert.equal(matchNumber(numbers, '15550001')?.persona, 'a');
  assert.equal(matchNumber(numbers, '+15550002')?.persona, 'b');
  assert.equal(matchNumber(numbers, '4420'), undefined);
  assert.equal(matchNumber(numbers, ''), undefined);
});
