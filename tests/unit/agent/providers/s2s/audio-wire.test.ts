import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AudioWire } from '../../../../../agent/providers/s2s/audio-wire.ts';
import { metrics } from '../../../../../gateway/metrics.ts';

async function oddCount(): Promise<number> {
  const v = (await metrics.codecErrors.get()).values.find((x) => x.labels.codec === 'L16' && x.labels.problem === 'odd-length');
  return v?.value ?? 0;
}

const b64 = (bytes: number[]): string => Buffer.from(bytes).toString('base64');

test('pcm16 deltas split inside a sample: the odd byte waits for the next delta, nothing is lost, each odd delta is counted', async () => {
  const wire = new AudioWire('pcm16');
  const before = await oddCount();
  // Samples 0x0201, 0x0403, -2 (0xfffe) little-endian, cut after 3 bytes and after 5.
  const a = wire.decode(b64([0x01, 0x02, 0x03]));
  const b = wire.decode(b64([0x04, 0xfe]));
  const c = wire.decode(b64([0xff]));
  assert.deepEqual([...a], [0x0201]);
  assert.deepEqual([...b], [0x0403]);
  assert.deepEqual([...c], [-2]);
  assert.equal((await oddCount()) - before, 2, 'the 3-byte and the 1-byte deltas');
});

test('even deltas are not counted and round-trip through encode', async () => {
  const wire = new AudioWire('pcm16');
  const before = await oddCount();
  const pcm = Int16Array.of(1, -1, 32767, -32768);
  assert.deepEqual([...wire.decode(wire.encode(pcm))], [...pcm]);
  assert.equal(await oddCount(), before);
});
