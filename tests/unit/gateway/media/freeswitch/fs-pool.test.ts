import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { silentLogger } from '../../../../../gateway/log.ts';
import { FsPool, type FsMediaServer, type FsServerConfig } from '../../../../../gateway/media/freeswitch/fs-pool.ts';

class FakeMs extends EventEmitter {
  readonly conn = new EventEmitter();
  maxSessions = 100;
  currentSessions = 0;
  cpuIdle = 90;
  disconnected = false;
  constructor(readonly address: string) {
    super();
  }
  createEndpoint(): never {
    throw new Error('not used');
  }
  disconnect(): void {
    this.disconnected = true;
  }
}

test('pool: heartbeat freshness decides health, the freest healthy server is picked, a lost one is reconnected', async () => {
  let now = 0;
  const made: FakeMs[] = [];
  let failFirstB = true;
  const connect = (cfg: FsServerConfig): Promise<FsMediaServer> => {
    if (cfg.address === 'b' && failFirstB) {
      failFirstB = false;
      return Promise.reject(new Error('ECONNREFUSED'));
    }
    const ms = new FakeMs(cfg.address);
    made.push(ms);
    return Promise.resolve(ms as unknown as FsMediaServer);
  };
  const pool = new FsPool({ servers: [{ address: 'a', port: 8021, secret: 'x' }, { address: 'b', port: 8021, secret: 'x' }], profile: 'drachtio_mrf', listenAddress: '127.0.0.1', heartbeatTimeoutSec: 60, log: silentLogger, connect, now: () => now });
  await pool.start();
  assert.equal((pool.pick() as unknown as FakeMs).address, 'a', 'b failed to connect');
  // b is retried after 1 s.
  await new Promise((r) => setTimeout(r, 1200));
  const a = made.find((m) => m.address === 'a')!;
  const b = made.find((m) => m.address === 'b')!;
  assert.ok(b, 'b reconnected');
  a.currentSessions = 90;
  assert.equal((pool.pick() as unknown as FakeMs).address, 'b', 'b has more free sessions');
  // a keeps beating, b goes silent past the timeout.
  now = 61_000;
  a.conn.emit('esl::event::HEARTBEAT::*', {});
  assert.equal((pool.pick() as unknown as FakeMs).address, 'a');
  // a's connection ends: nothing healthy → undefined (new calls are refused 503).
  a.emit('end');
  assert.equal(pool.pick(), undefined);
  pool.close();
  assert.ok(b.disconnected);
});
