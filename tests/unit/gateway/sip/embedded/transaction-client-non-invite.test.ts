import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../../../gateway/sip/embedded/clock.ts';
import { ClientNonInviteTransaction } from '../../../../../gateway/sip/embedded/transaction-client-non-invite.ts';
import { fakeRequest, fakeResponse } from './fake-messages.ts';

function setup(reliable: boolean) {
  const clock = new FakeClock();
  const sent: { at: number; retransmit: boolean }[] = [];
  const events: string[] = [];
  const tx = new ClientNonInviteTransaction({
    key: 'k',
    request: fakeRequest('BYE'),
    reliable,
    clock,
    send: (_req, retransmit) => sent.push({ at: clock.now(), retransmit }),
    onFinal: (res) => events.push(`final ${res.status}@${clock.now()}`),
    onTimeout: () => events.push(`timeout@${clock.now()}`),
    onTerminated: () => events.push(`terminated@${clock.now()}`),
  });
  return { clock, sent, events, tx };
}

test('UDP Timer E doubles to T2; Timer F times out at 64*T1', () => {
  const { clock, sent, events, tx } = setup(false);
  tx.start();
  clock.advance(40_000);
  assert.deepEqual(sent.map((s) => s.at), [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  assert.deepEqual(events, ['terminated@32000', 'timeout@32000']);
  assert.equal(clock.pending, 0);
});

test('a provisional response switches Timer E to T2', () => {
  const { clock, sent, tx } = setup(false);
  tx.start();
  clock.advance(600); // retransmit at 500, next E would be 1000 later (1500)
  tx.receiveResponse(fakeResponse(100));
  clock.advance(9000); // 1500 (pending E of 1000), then every T2: 5500, 9500
  assert.deepEqual(sent.map((s) => s.at), [0, 500, 1500, 5500, 9500]);
});

test('final response reported once, Timer K (T4) ends it, no more retransmissions', () => {
  const { clock, sent, events, tx } = setup(false);
  tx.start();
  clock.advance(700);
  tx.receiveResponse(fakeResponse(200));
  tx.receiveResponse(fakeResponse(200));
  clock.advance(4999);
  assert.deepEqual(events, ['final 200@700']);
  clock.advance(1);
  assert.deepEqual(events, ['final 200@700', 'terminated@5700']);
  assert.equal(sent.length, 2);
});

test('TCP: no retransmissions, Timer F still applies', () => {
  const { clock, sent, events, tx } = setup(true);
  tx.start();
  clock.advance(32_000);
  assert.equal(sent.length, 1);
  assert.deepEqual(events, ['terminated@32000', 'timeout@32000']);
});
