import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AudioFrame } from '../../../../codecs/types.ts';
import { atRate } from '../../../../gateway/media/resample-sink.ts';
import type { AudioSink } from '../../../../gateway/media/audio-sink.ts';

class Collect implements AudioSink {
  readonly frames: { rate: number; length: number; timestamp: number }[] = [];
  write(f: AudioFrame): void {
    this.frames.push({ rate: f.sampleRate, length: f.samples.length, timestamp: f.timestamp });
  }
  describe(): string {
    return 'Collect';
  }
}

test('atRate inserts a resampler only where the rates differ, and describe() shows it', () => {
  const same = new Collect();
  assert.equal(atRate(16000, 16000, same), same);
  const c = new Collect();
  const sink = atRate(16000, 8000, c);
  assert.equal(sink.describe(), 'Resample(16000→8000) → Collect');
  for (let i = 0; i < 3; i++) sink.write({ samples: new Int16Array(320), sampleRate: 16000, timestamp: i * 320 });
  assert.deepEqual(c.frames, [
    { rate: 8000, length: 160, timestamp: 0 },
    { rate: 8000, length: 160, timestamp: 160 },
    { rate: 8000, length: 160, timestamp: 320 },
  ]);
});
