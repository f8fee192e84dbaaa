import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resampleOffline } from '../../../../../agent/providers/tts/resample-offline.ts';

function tone(freq: number, rate: number, seconds: number, amp = 10000): Int16Array {
  const out = new Int16Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = Math.round(amp * Math.sin((2 * Math.PI * freq * i) / rate));
  return out;
}
/** Amplitude of `freq` in `x` (Goertzel-style correlation), ignoring `skip` edge samples. */
function amplitudeAt(x: Int16Array, freq: number, rate: number, skip = 200): number {
  let re = 0;
  let im = 0;
  const n = x.length - 2 * skip;
  for (let i = skip; i < x.length - skip; i++) {
    re += x[i]! * Math.cos((2 * Math.PI * freq * i) / rate);
    im += x[i]! * Math.sin((2 * Math.PI * freq * i) / rate);
  }
  return (2 * Math.hypot(re, im)) / n;
}
function rms(x: Int16Array, skip = 200): number {
  let s = 0;
  for (let i = skip; i < x.length - skip; i++) s += x[i]! ** 2;
  return Math.sqrt(s / (x.length - 2 * skip));
}

for (const [from, to] of [[22050, 8000], [22050, 16000], [22050, 48000], [8000, 16000]] as const) {
  test(`a 1 kHz tone keeps its frequency and level from ${from} to ${to} Hz`, () => {
    const out = resampleOffline(tone(1000, from, 1), from, to);
    assert.equal(out.length, to);
    const a = amplitudeAt(out, 1000, to);
    assert.ok(Math.abs(a - 10000) < 150, `amplitude ${a}`);
    assert.ok(amplitudeAt(out, 1300, to) < 100, 'no energy off the tone');
  });
}

test('energy above the new Nyquist is removed, not aliased (22050 → 8000)', () => {
  // 6 kHz would fold to 2 kHz at 8 kHz sampling without the low-pass.
  const out = resampleOffline(tone(6000, 22050, 1), 22050, 8000);
  assert.ok(rms(out) < 10000 * 0.707 * 0.01, `rms ${rms(out)} should be below -40 dB`);
  assert.ok(amplitudeAt(out, 2000, 8000) < 50);
});

test('same rate copies; bad rates throw; overshoot saturates instead of wrapping', () => {
  const x = tone(440, 8000, 0.1);
  const y = resampleOffline(x, 8000, 8000);
  assert.deepEqual(y, x);
  assert.notEqual(y, x);
  assert.throws(() => resampleOffline(x, 0, 8000), RangeError);
  // A full-scale square wave rings above full scale after filtering (Gibbs); it must clamp to 32767.
  const square = new Int16Array(4000).map((_, i) => (Math.floor(i / 100) % 2 ? 32767 : -32768));
  const loud = resampleOffline(square, 22050, 48000);
  assert.ok(loud.some((v) => v === 32767), 'clamped peaks');
  for (let n = 0; n < loud.length; n++) {
    const k = Math.round((n * 22050) / 48000);
    const around = square.subarray(Math.max(0, k - 10), k + 11);
    if (around.every((v) => v === 32767)) assert.ok(loud[n]! > 20000, `sample ${n} wrapped to ${loud[n]}`);
  }
});
