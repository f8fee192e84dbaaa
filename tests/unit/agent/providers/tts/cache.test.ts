import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TtsCache, type TtsCacheKey } from '../../../../../agent/providers/tts/cache.ts';

const key = (text: string, sampleRate = 8000): TtsCacheKey => ({ engine: 'e', text, voice: 'v', speed: 1, sampleRate });
function producer() {
  let runs = 0;
  const produce = (v: number) => async () => {
    runs++;
    return { pcm: new Int16Array([v, -v, v]), sampleRate: 8000 };
  };
  return { produce, runs: () => runs };
}

test('every part of the key matters', () => {
  const base = TtsCache.hash(key('a'));
  for (const k of [key('b'), key('a', 16000), { ...key('a'), voice: 'w' }, { ...key('a'), speed: 1.5 }, { ...key('a'), engine: 'x' }]) {
    assert.notEqual(TtsCache.hash(k), base);
  }
  assert.equal(TtsCache.hash(key('a')), base);
});

test('memory is bounded: the least recently used entry is forgotten first', async () => {
  const cache = new TtsCache({ maxEntries: 2 });
  const p = producer();
  await cache.get(key('a'), p.produce(1));
  await cache.get(key('b'), p.produce(2));
  await cache.get(key('a'), p.produce(1)); // a is now the most recent
  await cache.get(key('c'), p.produce(3)); // evicts b
  assert.equal(p.runs(), 3);
  await cache.get(key('a'), p.produce(1));
  assert.equal(p.runs(), 3, 'a stayed');
  await cache.get(key('b'), p.produce(2));
  assert.equal(p.runs(), 4, 'b was evicted');
});

test('a torn (odd-length) file on disk is ignored and replaced', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trunkline-ttscache-'));
  writeFileSync(join(dir, `${TtsCache.hash(key('a'))}.pcm`), Buffer.from([1, 2, 3]));
  const p = producer();
  const r = await new TtsCache({ dir }).get(key('a'), p.produce(7));
  assert.deepEqual([...r.pcm], [7, -7, 7]);
  assert.equal(p.runs(), 1);
  const again = await new TtsCache({ dir }).get(key('a'), p.produce(9));
  assert.deepEqual([...again.pcm], [7, -7, 7], 'read back from the rewritten file');
  assert.equal(p.runs(), 1);
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
});

test('an unwritable directory costs only the disk copy', async () => {
  // A directory path that runs through a regular file: mkdir fails with ENOTDIR.
  const file = join(mkdtempSync(join(tmpdir(), 'trunkline-ttscache-')), 'plain');
  writeFileSync(file, '');
  const cache = new TtsCache({ dir: join(file, 'sub') });
  const p = producer();
  const r = await cache.get(key('a'), p.produce(5));
  assert.deepEqual([...r.pcm], [5, -5, 5]);
  assert.equal((await cache.get(key('a'), p.produce(5))).pcm, r.pcm);
  assert.equal(p.runs(), 1);
});
