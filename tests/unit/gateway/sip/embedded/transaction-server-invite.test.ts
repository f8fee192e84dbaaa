import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../../../gateway/sip/embedded/clock.ts';
import { ServerInviteTransaction } from '../../../../../gateway/sip/embedded/transaction-server-invite.ts';
import type { SipResponse } from '../../../../../gateway/sip/embedded/message.ts';
import { fakeRequest, fakeResponse } from './fake-messages.ts';

function setup(reliable: boolean) {
  const clock = new FakeClock();
  const sent: { at: number; status: number; retransmit: boolean }[] = [];
  const events: string[] = [];
  const tx = new ServerInviteTransaction({
    key: 'k',
    request: fakeRequest('INVITE'),
    reliable,
    clock,
    trying: fakeResponse(100),
    send: (res: SipResponse, retransmit) => sent.push({ at: clock.now(), status: res.status, retransmit }),
    onTimeout: () => events.push(`timeout@${clock.now()}`),
    onTerminated: () => events.push(`terminated@${clock.now()}`),
  });
  return { clock, sent, events, tx };
}

test('sends 100 Trying at once and re-sends the last provisional on INVITE retransmission', () => {
  const { sent, tx } = setup(false);
  assert.deepEqual(sent, [{ at: 0, status: 100, retransmit: false }]);
  tx.respond(fakeResponse(180));
  tx.receiveRetransmission();
  assert.deepEqual(sent.map((s) => [s.status, s.retransmit]), [[100, false], [180, false], [180, true]]);
  assert.equal(tx.state, 'proceeding');
});

test('UDP non-2xx final: Timer G doubles to T2 until Timer H at 64*T1, then timeout', () => {
  const { clock, sent, events, tx } = setup(false);
  clock.advance(1000);
  tx.respond(fakeResponse(486)); // at t=1000
  clock.advance(40_000);
  const retransmits = sent.filter((s) => s.retransmit).map((s) => s.at - 1000);
  // G = 500, 1000, 2000, 4000, 4000, …: cumulative 500, 1500, 3500, 7500, 11500, …, 31500
  assert.deepEqual(retransmits, [500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  assert.deepEqual(events, ['terminated@33000', 'timeout@33000']);
  assert.equal(tx.state, 'terminated');
  assert.equal(clock.pending, 0);
});

test('ACK stops Timer G; Timer I (T4) then terminates; INVITE in Completed re-sends the final', () => {
  const { clock, sent, events, tx } = setup(false);
  tx.respond(fakeResponse(603));
  clock.advance(600); // one G retransmission at 500
  tx.receiveRetransmission();
  assert.deepEqual(sent.map((s) => [s.at, s.status, s.retransmit]), [[0, 100, false], [0, 603, false], [500, 603, true], [600, 603, true]]);
  tx.receiveAck();
  assert.equal(tx.state, 'confirmed');
  clock.advance(4999);
  assert.equal(sent.length, 4);
  assert.deepEqual(events, []);
  clock.advance(1);
  assert.deepEqual(events, ['terminated@5600']);
});

test('TCP non-2xx final: no Timer G, Timer I is 0 after ACK', () => {
  const { clock, sent, events, tx } = setup(true);
  tx.respond(fakeResponse(500));
  clock.advance(10_000);
  assert.equal(sent.filter((s) => s.retransmit).length, 0);
  tx.receiveAck();
  clock.advance(0);
  assert.deepEqual(events, ['terminated@10000']);
});

test('TCP without ACK: Timer H still fires at 64*T1', () => {
  const { clock, events, tx } = setup(true);
  tx.respond(fakeResponse(488));
  clock.advance(31_999);
  assert.deepEqual(events, []);
  clock.advance(1);
  assert.deepEqual(events, ['terminated@32000', 'timeout@32000']);
});

test('2xx moves to Accepted: INVITE retransmissions absorbed, later responses ignored, gone after 64*T1', () => {
  const { clock, sent, events, tx } = setup(false);
  tx.respond(fakeResponse(200));
  assert.equal(tx.state, 'accepted');
  tx.receiveRetransmission();
  tx.respond(fakeResponse(500));
  clock.advance(31_999);
  assert.deepEqual(sent.map((s) => s.status), [100, 200]);
  clock.advance(1);
  assert.deepEqual(events, ['terminated@32000']);
});
