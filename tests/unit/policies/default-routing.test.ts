import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../../config/load.ts';
import { route, type RouteInput } from '../../../policies/routing.ts';

// The shipped config's policy (`make run`): narrowband → cascade, wideband → speech-to-speech, and the
// local voice menu whenever the AI providers are not configured (no OPENAI_API_KEY).
const config = loadConfig({ env: {} });
const call = (band: RouteInput['band'], available: string[]): RouteInput => ({ band, trunk: 'any', dialed: '100', headers: {}, available: new Set(available) as RouteInput['available'] });

test('without a key only the menu exists, so it answers every band', () => {
  for (const band of ['narrow', 'wide', 'super'] as const) {
    const d = route(config.routing, call(band, ['menu']));
    assert.equal(d.action, 'agent');
    assert.deepEqual(d.action === 'agent' && d.agents, ['menu']);
  }
});

test('with a key, G.711 goes to the cascade and wideband to speech-to-speech, each falling back to the menu', () => {
  const all = ['menu', 'cascade', 's2s'];
  const narrow = route(config.routing, call('narrow', all));
  assert.deepEqual(narrow.action === 'agent' && narrow.agents, ['cascade', 'menu']);
  const wide = route(config.routing, call('wide', all));
  assert.deepEqual(wide.action === 'agent' && wide.agents, ['s2s', 'cascade', 'menu']);
  const superWide = route(config.routing, call('super', all));
  assert.deepEqual(superWide.action === 'agent' && superWide.agents, ['s2s', 'cascade', 'menu']);
});
