import assert from 'node:assert/strict';
import { test } from 'node:test';
import { G711AppendixIConcealer } from '../../../../codecs/plc/g711-appendix-i.ts';
import { harmonic, maxStep, rms } from './signal.ts';

/**
 * The concealer on signals whose right answer is known: a tone with an exact period of 80 samples
 * (100 Hz) is repeated sample for sample, so every output sample is the original times the
 * Appendix I gain, and the recovery overlap-add can be checked sample by sample.
 */

const F = 160; // 20 ms at 8 kHz

/** Plays `x` in 20 ms frames through a concealer, losing the frames in `lost`; returns the output. */
function play(x: Int16Array, lost: ReadonlySet<number>, rate = 8000): { out: Int16Array; plc: G711AppendixIConcealer } {
  const plc = new G711AppendixIConcealer(rate);
  const f = rate / 50;
  const out = new Int16Array(x.length);
  for (let k = 0; k * f + f <= x.length; k++) {
    const frame = x.slice(k * f, (k + 1) * f);
    if (lost.has(k)) plc.conceal(frame);
    else plc.good(frame);
    out.set(frame, k * f);
  }
  return { out, plc };
}

/** Appendix I gain at sample t of a loss: 1 for 10 ms, then −20 % per 10 ms, 0 from 60 ms. */
function gain(t: number): number {
  return t < 80 ? 1 : Math.max(0, 1 - (t - 80) * (0.2 / 80));
}

test('good frames pass untouched while nothing is lost; before any good frame, concealment is silence', () => {
  const x = harmonic(73, 40 * F);
  const { out } = play(x, new Set());
  assert.deepEqual(out, x);
  const plc = new G711AppendixIConcealer();
  const z = new Int16Array(F).fill(9);
  plc.conceal(z);
  assert.ok(z.every((v) => v === 0));
});

test('attenuation curve: 10 ms at full level, then linear −20 % per 10 ms, silent from 60 ms', () => {
  const x = harmonic(80, 30 * F);
  const start = 10 * F;
  const lost = new Set([10, 11, 12, 13, 14]); // 100 ms
  const { out, plc } = play(x, lost);
  assert.equal(plc.pitch, 80);
  for (let t = 0; t < 5 * F; t++) {
    const want = t >= 480 ? 0 : x[start + t]! * gain(t);
    assert.ok(Math.abs(out[start + t]! - want) <= 1, `t=${t}: ${out[start + t]} vs ${want.toFixed(1)}`);
  }
  assert.ok(out.subarray(start + 480, start + 5 * F).every((v) => v === 0), 'silent after 60 ms');
  // Per 10 ms, the level relative to the original: about 1, 0.9, 0.7, 0.5, 0.3, 0.1, then exactly 0
  // (a ramp within a block weights the tone unevenly, hence the tolerance).
  const levels = [0, 1, 2, 3, 4, 5, 6, 7].map((m) => rms(out.subarray(start + m * 80, start + m * 80 + 80)) / rms(x.subarray(start + m * 80, start + m * 80 + 80)));
  const want = [1, 0.9, 0.7, 0.5, 0.3, 0.1, 0, 0];
  levels.forEach((l, m) => assert.ok(Math.abs(l - want[m]!) < 0.05, `10 ms block ${m}: level ${l.toFixed(3)}, want ${want[m]}`));
});

test('recovery after 20 ms lost: overlap-add over P/4 + 4 ms (52 samples), then the frame bit-exact', () => {
  const x = harmonic(80, 20 * F);
  const { out } = play(x, new Set([8]));
  const s = 9 * F; // first good frame after the loss
  const len = 80 / 4 + 32;
  for (let i = 0; i < len; i++) {
    const w = (i + 1) / (len + 1);
    const want = (1 - w) * x[s + i]! * gain(F + i) + w * x[s + i]!;
    assert.ok(Math.abs(out[s + i]! - want) <= 1, `i=${i}: ${out[s + i]} vs ${want.toFixed(1)}`);
  }
  assert.deepEqual(out.subarray(s + len), x.subarray(s + len));
  assert.ok(out.subarray(s, s + len).some((v, i) => v !== x[s + i]), 'the overlap changed the start of the frame');
});

test('recovery after more than 60 ms lost fades the frame in from silence over 10 ms', () => {
  const x = harmonic(80, 20 * F);
  const { out } = play(x, new Set([5, 6, 7, 8]));
  const s = 9 * F;
  for (let i = 0; i < 80; i++) assert.ok(Math.abs(out[s + i]! - ((i + 1) / 81) * x[s + i]!) <= 1, `i=${i}`);
  assert.deepEqual(out.subarray(s + 80, s + F), x.subarray(s + 80, s + F));
});

test('no click at the joins when the period is not a whole number of samples', () => {
  for (const period of [47.3, 61.7, 88.45, 113.9]) {
    const x = harmonic(period, 30 * F);
    const orig = maxStep(x, 0, x.length);
    for (const lost of [new Set([10]), new Set([10, 11]), new Set([10, 11, 12])]) {
      const { out } = play(x, lost);
      const first = 10 * F;
      const after = (10 + lost.size) * F;
      // Every step inside the loss and across both joins stays within the original's largest step.
      const step = maxStep(out, first - 2, after + F);
      assert.ok(step <= orig * 1.1, `period ${period}, ${lost.size} lost: step ${step} vs original ${orig}`);
      assert.ok(rms(out.subarray(first, first + 80)) > 0.8 * rms(x.subarray(first, first + 80)), 'not silence');
    }
  }
});

test('16 kHz (G.722 output): the same curve in doubled units', () => {
  const x = harmonic(160, 30 * 320);
  const { out, plc } = play(x, new Set([10, 11, 12, 13]), 16000);
  assert.equal(plc.pitch, 160);
  const s = 10 * 320;
  for (let t = 0; t < 4 * 320; t++) {
    const g = t < 160 ? 1 : Math.max(0, 1 - (t - 160) * (0.2 / 160));
    assert.ok(Math.abs(out[s + t]! - x[s + t]! * g) <= 1, `t=${t}`);
  }
});

test('a loss cut in odd-sized pieces gives the same output as one call', () => {
  const x = harmonic(61.7, 12 * F);
  const a = new G711AppendixIConcealer();
  const b = new G711AppendixIConcealer();
  for (let k = 0; k < 8; k++) {
    a.good(x.slice(k * F, (k + 1) * F));
    b.good(x.slice(k * F, (k + 1) * F));
  }
  const whole = new Int16Array(3 * F + 10);
  a.conceal(whole);
  const parts = new Int16Array(whole.length);
  for (const [from, to] of [[0, 7], [7, 81], [81, 200], [200, 333], [333, 490]] as const) b.conceal(parts.subarray(from, to));
  assert.deepEqual(parts, whole);
  assert.equal(a.lostSamples, whole.length);
});
