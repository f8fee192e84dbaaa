import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReservedPort } from '../../../../gateway/media/reserved-port.ts';
import { PortPool } from '../../../../gateway/media/rtp/port-pool.ts';

test('a reserved port is out of the shared pool until the leg (or the call) gives it back, once', () => {
  let now = 0;
  const shared = new PortPool({ min: 30000, max: 30003, quarantineMs: 100, now: () => now });
  const held = new ReservedPort(shared);
  assert.equal(held.port, 30000);
  assert.equal(shared.inUse, 1);
  assert.equal(shared.allocate(), 30002, 'the shared pool hands out another port meanwhile');
  assert.equal(held.allocate(), 30000, 'the leg binds exactly the offered port');
  assert.throws(() => held.allocate(), /already taken/);
  held.releaseUnused(); // a leg took it: the call's release is a no-op
  assert.equal(shared.inUse, 2);
  held.release(30000); // the leg closes
  held.release(30000);
  assert.equal(shared.inUse, 1);
  now = 200;
  assert.equal(shared.allocate(), 30000, 'back in the pool after its quarantine');
});

test('a reservation no leg took goes back when the call gives it up', () => {
  const shared = new PortPool({ min: 30000, max: 30001, quarantineMs: 0 });
  const held = new ReservedPort(shared);
  assert.throws(() => shared.allocate(), /no free RTP port/);
  held.releaseUnused();
  assert.equal(shared.inUse, 0);
  assert.throws(() => held.allocate(), /already taken/);
});
