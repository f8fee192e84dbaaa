import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../../../gateway/sip/embedded/clock.ts';
import { ServerNonInviteTransaction } from '../../../../../gateway/sip/embedded/transaction-server-non-invite.ts';
import { fakeRequest, fakeResponse } from './fake-messages.ts';

function setup(reliable: boolean) {
  const clock = new FakeClock();
  const sent: { at: number; status: number; retransmit: boolean }[] = [];
  const events: string[] = [];
  const tx = new ServerNonInviteTransaction({
    key: 'k',
    request: fakeRequest('BYE'),
    reliable,
    clock,
    send: (res, retransmit) => sent.push({ at: clock.now(), status: res.status, retransmit }),
    onTerminated: () => events.push(`terminated@${clock.now()}`),
  });
  return { clock, sent, events, tx };
}

test('retransmission in Trying is discarded; in Proceeding re-sends the provisional', () => {
  const { sent, tx } = setup(false);
  tx.receiveRetransmission();
  assert.equal(sent.length, 0);
  tx.respond(fakeResponse(100));
  tx.receiveRetransmission();
  assert.deepEqual(sent.map((s) => [s.status, s.retransmit]), [[100, false], [100, true]]);
});

test('UDP: Timer J (64*T1) absorbs request retransmissions by re-sending the final', () => {
  const { clock, sent, events, tx } = setup(false);
  clock.advance(100);
  tx.respond(fakeResponse(200));
  clock.advance(1000);
  tx.receiveRetransmission();
  clock.advance(20_000);
  tx.receiveRetransmission();
  tx.respond(fakeResponse(500)); // ignored: already final
  assert.deepEqual(sent.map((s) => [s.at, s.status, s.retransmit]), [[100, 200, false], [1100, 200, true], [21100, 200, true]]);
  assert.equal(tx.state, 'completed');
  clock.advance(32_100 - 21_100 - 1);
  assert.deepEqual(events, []);
  clock.advance(1);
  assert.deepEqual(events, ['terminated@32100']);
  tx.receiveRetransmission();
  assert.equal(sent.length, 3);
});

test('TCP: Timer J is 0, terminated right after the final', () => {
  const { events, tx } = setup(true);
  tx.respond(fakeResponse(481));
  assert.deepEqual(events, ['terminated@0']);
  assert.equal(tx.state, 'terminated');
});
