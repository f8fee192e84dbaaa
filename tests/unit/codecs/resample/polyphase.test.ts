import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createResampler } from '../../../../codecs/index.ts';
import type { Resampler } from '../../../../codecs/types.ts';
import { db, goertzel, rms, tone } from './signal.ts';

const RATES = [8000, 16000, 24000, 48000] as const;
const PAIRS = RATES.flatMap((a) => RATES.filter((b) => b !== a).map((b) => [a, b] as const));

/** Resamples a whole signal in one call. */
function oneGo(r: Resampler, input: Int16Array): Int16Array {
  const out = new Int16Array(r.outputLength(input.length));
  return out.subarray(0, r.process(input, out));
}

/** Resamples in 20 ms frames, reusing one output buffer like the media pipeline does. */
function framed(r: Resampler, input: Int16Array): Int16Array {
  const frame = r.fromRate / 50;
  const buf = new Int16Array(r.outputLength(frame));
  const parts: number[] = [];
  for (let i = 0; i < input.length; i += frame) {
    const n = r.process(input.subarray(i, i + frame), buf);
    for (let j = 0; j < n; j++) parts.push(buf[j]!);
  }
  return Int16Array.from(parts);
}

/** Output samples to skip so the filter's start-up transient is not measured. */
const settle = (r: Resampler): number => Math.ceil((2 * r.delayMs * r.toRate) / 1000);

describe('polyphase resampler', () => {
  test('rejects tones above the new Nyquist by ≥ 60 dB when downsampling', () => {
    for (const [from, to] of PAIRS.filter(([a, b]) => b < a)) {
      const nyq = to / 2;
      for (const f of [nyq * 1.05, nyq * 1.25, nyq * 1.6, from / 2 - 200]) {
        if (f >= from / 2) continue;
        const r = createResampler(from, to);
        const input = tone(from, f, 1, 16000);
        const out = oneGo(r, input);
        const s = settle(r);
        const rejection = db(rms(input) / rms(out, s, out.length - s));
        assert.ok(rejection >= 60, `${from}→${to} tone ${f} Hz: only ${rejection.toFixed(1)} dB down`);
      }
    }
  });

  test('the brief’s case: a 5 kHz tone at 16 kHz leaves nothing at its 3 kHz alias in 8 kHz output', () => {
    const r = createResampler(16000, 8000);
    const out = oneGo(r, tone(16000, 5000, 1, 16000));
    const s = settle(r);
    assert.ok(db(16000 / goertzel(out, 8000, 3000, s)) >= 60);
  });

  test('removes spectral images by ≥ 60 dB when upsampling', () => {
    const r = createResampler(8000, 16000);
    const out = oneGo(r, tone(8000, 3000, 1, 16000));
    const s = settle(r);
    const wanted = goertzel(out, 16000, 3000, s);
    const image = goertzel(out, 16000, 5000, s);
    assert.ok(Math.abs(db(wanted / 16000)) < 0.5);
    assert.ok(db(wanted / image) >= 60, `image only ${db(wanted / image).toFixed(1)} dB down`);
  });

  test('passband is flat within ±0.5 dB up to 0.9 × the lower Nyquist', () => {
    for (const [from, to] of PAIRS) {
      const low = Math.min(from, to) / 2;
      for (const fraction of [0.02, 0.1, 0.3, 0.5, 0.7, 0.8, 0.9]) {
        const f = fraction * low;
        const r = createResampler(from, to);
        const input = tone(from, f, 1, 16000);
        const out = oneGo(r, input);
        const s = settle(r);
        const gain = db(rms(out, s, out.length - s) / rms(input));
        assert.ok(Math.abs(gain) <= 0.5, `${from}→${to} at ${f} Hz: gain ${gain.toFixed(3)} dB`);
      }
    }
  });

  test('20 ms frames give exactly the one-call output (state carries, no boundary clicks)', () => {
    for (const [from, to] of PAIRS) {
      const input = tone(from, 1000, 1, 20000);
      const whole = oneGo(createResampler(from, to), input);
      const frames = framed(createResampler(from, to), input);
      assert.equal(whole.length, (to * 1000) / 1000);
      assert.deepEqual(frames, whole, `${from}→${to}`);
    }
  });

  test('a 1 kHz sine comes out as the same sine delayed by delayMs (continuity across frames)', () => {
    for (const [from, to] of PAIRS) {
      const r = createResampler(from, to);
      const out = framed(r, tone(from, 1000, 0.5, 20000));
      const delay = r.delayMs / 1000;
      let worst = 0;
      for (let n = settle(r); n < out.length; n++) {
        const ideal = 20000 * Math.sin(2 * Math.PI * 1000 * (n / to - delay));
        worst = Math.max(worst, Math.abs(out[n]! - ideal));
      }
      // 0.5 % of full amplitude: passband ripple and rounding, far below any audible click.
      assert.ok(worst < 100, `${from}→${to}: max deviation ${worst.toFixed(1)}`);
    }
  });

  test('reported delayMs equals the measured impulse delay', () => {
    for (const [from, to] of PAIRS) {
      const r = createResampler(from, to);
      const input = new Int16Array(from / 5); // 200 ms
      input[0] = 16000;
      const out = framed(r, input);
      let peak = 0;
      for (let i = 1; i < out.length; i++) if (Math.abs(out[i]!) > Math.abs(out[peak]!)) peak = i;
      assert.ok(r.delayMs > 0 && r.delayMs < 20, `${from}→${to}: delay ${r.delayMs} ms`);
      assert.equal((peak / to) * 1000, r.delayMs, `${from}→${to}: peak at sample ${peak}`);
    }
  });

  test('outputLength is exact for 20 ms frames and process refuses a short buffer', () => {
    const r = createResampler(16000, 24000);
    assert.equal(r.outputLength(320), 480);
    assert.equal(r.describe(), 'Resample(16000→24000)');
    assert.throws(() => r.process(new Int16Array(320), new Int16Array(479)), RangeError);
    assert.equal(r.process(new Int16Array(320), new Int16Array(480)), 480);
  });

  test('odd-sized chunks (not multiples of M) still match the one-call output', () => {
    const input = tone(48000, 440, 0.3, 15000);
    const whole = oneGo(createResampler(48000, 16000), input);
    const r = createResampler(48000, 16000);
    const got: number[] = [];
    const buf = new Int16Array(1000);
    for (let i = 0, step = 1; i < input.length; i += step, step = (step * 7 + 3) % 997 || 1) {
      const n = r.process(input.subarray(i, i + step), buf);
      for (let j = 0; j < n; j++) got.push(buf[j]!);
    }
    assert.deepEqual(Int16Array.from(got), whole);
  });
});
