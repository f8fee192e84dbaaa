import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import net from 'node:net';
import { forgetUnanswered, unansweredCount } from '../../../../../gateway/sip/drachtio/drachtio-pending.ts';
import type { SrfRequest } from '../../../../../gateway/sip/drachtio/drachtio-wire.ts';
import { fakeReq } from './fake-srf.ts';

/**
 * The installed drachtio-srf's own agent (not a fake), so an upgrade that moves
 * `pendingNetworkInvites` fails here rather than silently bringing the leak of dropped INVITEs back.
 */
function realAgent(): { agent: { _initServer(s: unknown): { pendingNetworkInvites: Map<string, unknown> } }; socket: object } {
  const Agent = createRequire(import.meta.url)('drachtio-srf/lib/drachtio-agent.js') as new (cb: () => void) => { _initServer(s: unknown): { pendingNetworkInvites: Map<string, unknown> } };
  // An unconnected socket: the agent only uses it as a map key here (and asserts its type).
  return { agent: new Agent(() => undefined), socket: new net.Socket() };
}

function held(agent: unknown, socket: object, callId: string): SrfRequest {
  return Object.assign(fakeReq({ 'Call-ID': callId }), { agent, socket });
}

test('a dropped INVITE is removed from drachtio-srf\'s unanswered INVITEs, and only that one', () => {
  const { agent, socket } = realAgent();
  const obj = agent._initServer(socket);
  // What drachtio-agent.js does for each INVITE from the network.
  const a = held(agent, socket, 'a@1');
  const b = held(agent, socket, 'b@1');
  obj.pendingNetworkInvites.set('a@1', { req: a });
  obj.pendingNetworkInvites.set('b@1', { req: b });
  assert.equal(unansweredCount(agent), 2);
  assert.equal(forgetUnanswered(a), true);
  assert.equal(unansweredCount(agent), 1);
  assert.ok(obj.pendingNetworkInvites.has('b@1'));
  assert.equal(forgetUnanswered(a), false, 'already gone');
});

test('a request not shaped like drachtio-srf\'s is left alone', () => {
  assert.equal(forgetUnanswered(fakeReq()), false);
  assert.equal(forgetUnanswered(Object.assign(fakeReq(), { agent: { mapServer: 'x' }, socket: {} })), false);
  assert.equal(unansweredCount(undefined), 0);
});
