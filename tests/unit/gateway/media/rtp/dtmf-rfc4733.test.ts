import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rfc4733Receiver, parseTelephoneEvent, telephoneEventPackets, writeTelephoneEvent } from '../../../../../gateway/media/rtp/dtmf-rfc4733.ts';

function te(event: number, duration: number, end = false): Uint8Array {
  const b = new Uint8Array(4);
  writeTelephoneEvent({ event, end, volume: 10, duration }, b);
  return b;
}

/** The packets a well-behaved sender emits for one key press: start, updates, three ends. */
function press(event: number, timestamp: number, updates = 4) {
  const pkts = [];
  for (let i = 1; i <= updates; i++) pkts.push({ timestamp, marker: i === 1, payload: te(event, i * 160) });
  for (let i = 0; i < 3; i++) pkts.push({ timestamp, marker: false, payload: te(event, (updates + 1) * 160, true) });
  return pkts;
}

test('payload layout of RFC 4733 §2.3 round-trips', () => {
  const b = new Uint8Array(4);
  writeTelephoneEvent({ event: 11, end: true, volume: 63, duration: 0xfedc }, b);
  assert.deepEqual([...b], [11, 0x80 | 63, 0xfe, 0xdc]);
  assert.deepEqual(parseTelephoneEvent(b), { event: 11, end: true, volume: 63, duration: 0xfedc });
  assert.equal(parseTelephoneEvent(new Uint8Array(3)), undefined);
});

test('one key press with three end packets yields exactly one digit', () => {
  const rx = new Rfc4733Receiver({ clockRate: 8000 });
  const got = press(5, 1000).flatMap((p, i) => rx.push(p, i * 20));
  assert.deepEqual(got, [{ digit: '5', durationMs: 100, source: 'rfc4733' }]);
  assert.equal(rx.poll(10_000), undefined);
});

test('a repeated digit is two events because the timestamps differ', () => {
  const rx = new Rfc4733Receiver({ clockRate: 8000 });
  const got = [...press(1, 1000), ...press(1, 3000)].flatMap((p, i) => rx.push(p, i * 20));
  assert.deepEqual(got.map((e) => e.digit), ['1', '1']);
});

test('an event whose end packets were all lost reports when the next event starts', () => {
  const rx = new Rfc4733Receiver({ clockRate: 8000 });
  const first = press(10, 1000).slice(0, 4); // updates only: the three end packets were lost
  const got = [...first, ...press(11, 4000)].flatMap((p, i) => rx.push(p, i * 20));
  assert.deepEqual(got, [
    { digit: '*', durationMs: 80, source: 'rfc4733' },
    { digit: '#', durationMs: 100, source: 'rfc4733' },
  ]);
});

test('an event whose end packets were all lost reports once after the timeout', () => {
  const rx = new Rfc4733Receiver({ clockRate: 8000, timeoutMs: 500 });
  for (const [i, p] of press(7, 1000).slice(0, 3).entries()) assert.deepEqual(rx.push(p, i * 20), []);
  assert.equal(rx.poll(400), undefined);
  assert.deepEqual(rx.poll(600), { digit: '7', durationMs: 60, source: 'rfc4733' });
  assert.equal(rx.poll(2000), undefined);
  // A straggling end packet of the same event must not report it again.
  assert.deepEqual(rx.push({ timestamp: 1000, marker: false, payload: te(7, 800, true) }, 2100), []);
});

test('only end packets received (start and updates lost) still yields one digit', () => {
  const rx = new Rfc4733Receiver({ clockRate: 8000 });
  const got = press(0, 500).slice(4).flatMap((p, i) => rx.push(p, i * 20));
  assert.deepEqual(got.map((e) => e.digit), ['0']);
});

test('non-digit events (flash, 16) are consumed without a digit', () => {
  const rx = new Rfc4733Receiver({ clockRate: 8000 });
  assert.deepEqual(press(16, 1000).flatMap((p, i) => rx.push(p, i * 20)), []);
});

test('send sequence: marker first, growing duration, three identical end packets', () => {
  const pkts = telephoneEventPackets('9', { clockRate: 8000, durationMs: 100 });
  const parsed = pkts.map((p) => ({ marker: p.marker, ...parseTelephoneEvent(p.payload)! }));
  assert.deepEqual(parsed.map((p) => p.marker), [true, false, false, false, false, false, false]);
  assert.deepEqual(parsed.map((p) => p.duration), [160, 320, 480, 640, 800, 800, 800]);
  assert.deepEqual(parsed.map((p) => p.end), [false, false, false, false, true, true, true]);
  assert.ok(parsed.every((p) => p.event === 9 && p.volume === 10));
  // What we send, our receiver reads back as one digit of the right length.
  const rx = new Rfc4733Receiver({ clockRate: 8000 });
  const got = pkts.flatMap((p, i) => rx.push({ timestamp: 42, marker: p.marker, payload: p.payload }, i * 20));
  assert.deepEqual(got, [{ digit: '9', durationMs: 100, source: 'rfc4733' }]);
});
