import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { MediaError } from '../../../../../gateway/errors.ts';
import { PortPool, bindRtpSocket } from '../../../../../gateway/media/rtp/port-pool.ts';

test('hands out even ports only, each with its RTCP pair inside the range', () => {
  const pool = new PortPool({ portMin: 10001, portMax: 10010, quarantineMs: 0 });
  const ports = [];
  for (let i = 0; i < 4; i++) ports.push(pool.allocate());
  assert.deepEqual(ports, [10002, 10004, 10006, 10008]);
  // 10010 has no 10011 inside the range, so the pool is empty.
  assert.throws(() => pool.allocate(), (e: unknown) => e instanceof MediaError && e.sipStatus === 503);
});

test('accepts the short {min,max} form too', () => {
  const pool = new PortPool({ min: 20000, max: 20003 });
  assert.equal(pool.available, 2);
});

test('a released port is quarantined before reuse', () => {
  let now = 0;
  const pool = new PortPool({ portMin: 30000, portMax: 30003, quarantineMs: 10_000, now: () => now });
  const a = pool.allocate();
  const b = pool.allocate();
  assert.deepEqual([a, b], [30000, 30002]);
  pool.release(a);
  pool.release(a); // double release is harmless
  assert.equal(pool.inUse, 1);
  now = 9_999;
  assert.throws(() => pool.allocate(), MediaError);
  now = 10_000;
  assert.equal(pool.allocate(), 30000);
});

test('quarantined ports come back oldest release first', () => {
  let now = 0;
  const pool = new PortPool({ portMin: 40000, portMax: 40005, quarantineMs: 100, now: () => now });
  const [a, b, c] = [pool.allocate(), pool.allocate(), pool.allocate()];
  pool.release(c);
  now = 50;
  pool.release(a);
  now = 120;
  assert.equal(pool.available, 1);
  assert.equal(pool.allocate(), c);
  assert.throws(() => pool.allocate(), MediaError);
  now = 150;
  assert.equal(pool.allocate(), a);
  assert.ok(b !== undefined);
});

test('bindRtpSocket skips a port another process holds (EADDRINUSE)', async () => {
  // Pick a free even port pair, then occupy its RTP port.
  const holder = createSocket('udp4');
  const base = 41000 + 2 * Math.floor(Math.random() * 2000);
  await new Promise<void>((r) => holder.bind(base, '127.0.0.1', r));
  try {
    const pool = new PortPool({ portMin: base, portMax: base + 3, quarantineMs: 60_000 });
    const bound = await bindRtpSocket(pool, '127.0.0.1');
    try {
      assert.equal(bound.port, base + 2);
      assert.equal(bound.rtp.address().port, base + 2);
      assert.equal(bound.rtcp.address().port, base + 3);
      assert.equal(pool.inUse, 1);
      // The busy port went back into quarantine, so the pool is now exhausted.
      await assert.rejects(bindRtpSocket(pool, '127.0.0.1'), MediaError);
    } finally {
      bound.rtp.close();
      bound.rtcp.close();
    }
  } finally {
    holder.close();
  }
});
