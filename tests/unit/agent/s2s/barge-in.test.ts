import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { AudioWire } from '../../../../agent/providers/s2s/audio-wire.ts';
import { segmentId, truncationsFor } from '../../../../agent/s2s/barge-in.ts';
import { s2sFactoryFor } from '../../../../agent/s2s/s2s-factory.ts';
import type { Config } from '../../../../config/types.ts';
import { ConfigError } from '../../../../gateway/errors.ts';

test('truncation is what was played, never more than what the server sent; other segments ignored', () => {
  const reports = [
    { id: segmentId('item_a'), playedMs: 1240, totalMs: 3000, interrupted: true },
    { id: segmentId('item_b'), playedMs: 900, totalMs: 900, interrupted: true },
    { id: 'menu:1:greeting', playedMs: 500, totalMs: 800, interrupted: true },
  ];
  const sent: Record<string, number> = { item_a: 3000, item_b: 850.5 };
  assert.deepEqual(truncationsFor(reports, (id) => sent[id]), [
    { itemId: 'item_a', audioEndMs: 1240 },
    { itemId: 'item_b', audioEndMs: 850 },
  ]);
});

test('PCM16 wire decoding carries an odd byte across deltas', () => {
  const w = new AudioWire('pcm16');
  const pcm = Int16Array.from([1000, -2000, 3000]);
  const bytes = Buffer.from(pcm.buffer);
  const a = w.decode(bytes.subarray(0, 3).toString('base64'));
  const b = w.decode(bytes.subarray(3).toString('base64'));
  assert.deepEqual([...a, ...b], [1000, -2000, 3000]);
  assert.equal(w.encode(pcm), bytes.toString('base64'));
});

test('μ-law on the wire round-trips G.711 exactly (passthrough; 0x7f, negative zero, aside)', () => {
  const w = new AudioWire('pcmu');
  const first = w.decode(Buffer.from([0x00, 0x80, 0xff, 0x12, 0x9a]).toString('base64'));
  assert.equal(Buffer.from(w.encode(first), 'base64').toString('hex'), '0080ff129a');
});

test('s2s without OPENAI_API_KEY: absent, or a ConfigError when the config asks for it', () => {
  const log = pino({ level: 'silent' });
  const cfg = (d: string): Config => ({ agent: { default: d } }) as unknown as Config;
  assert.deepEqual(s2sFactoryFor(cfg('menu'), {}, log), {});
  assert.throws(() => s2sFactoryFor(cfg('s2s'), {}, log), (e: unknown) => e instanceof ConfigError && e.keyPath === 'agent.default' && /OPENAI_API_KEY/.test(e.message));
});
