import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../../../gateway/sip/embedded/clock.ts';
import { Retransmit2xx } from '../../../../../gateway/sip/embedded/retransmit-2xx.ts';
import { fakeResponse } from './fake-messages.ts';

test('2xx re-sent at T1 doubling to T2 until 64*T1, then timeout (RFC 3261 §13.3.1.4)', () => {
  const clock = new FakeClock();
  const sent: number[] = [];
  let timedOut = -1;
  const r = new Retransmit2xx({ clock, response: fakeResponse(200), send: () => sent.push(clock.now()), onTimeout: () => (timedOut = clock.now()) });
  r.start();
  clock.advance(40_000);
  assert.deepEqual(sent, [500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  assert.equal(timedOut, 32_000);
  assert.equal(r.active, false);
});

test('stop() (the ACK) ends retransmissions and the timeout', () => {
  const clock = new FakeClock();
  const sent: number[] = [];
  let timedOut = false;
  const r = new Retransmit2xx({ clock, response: fakeResponse(200), send: () => sent.push(clock.now()), onTimeout: () => (timedOut = true) });
  r.start();
  clock.advance(2000);
  r.stop();
  clock.advance(60_000);
  assert.deepEqual(sent, [500, 1500]);
  assert.equal(timedOut, false);
  assert.equal(clock.pending, 0);
});
