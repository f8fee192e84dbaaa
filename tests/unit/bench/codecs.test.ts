import assert from 'node:assert/strict';
import { test } from 'node:test';
import { codecFigures, ratios } from '../../../bench/codecs.ts';
import { codecRuns, loopTo, resamplerRun, syntheticSpeech } from '../../../bench/lib/codec-throughput.ts';
import { adaptResult } from '../../../bench/lib/plugged.ts';
import { codecInfo } from '../../../codecs/index.ts';

test('loopTo repeats the input to the exact length', () => {
  assert.deepEqual([...loopTo(Int16Array.of(1, 2, 3), 7)], [1, 2, 3, 1, 2, 3, 1]);
});

test('codecRuns gives one positive × real-time figure per run, encode and decode, and calls per core below both', () => {
  const r = codecRuns(codecInfo('G722'), syntheticSpeech(16000, 2), 3);
  for (const k of ['enc', 'dec', 'calls'] as const) {
    assert.equal(r[k].length, 3);
    assert.ok(r[k].every((v) => Number.isFinite(v) && v > 0), k);
  }
  for (let i = 0; i < 3; i++) assert.ok(r.calls[i]! < Math.min(r.enc[i]!, r.dec[i]!));
});

test('resamplerRun measures every run', () => {
  const r = resamplerRun(8000, 16000, syntheticSpeech(8000, 1), 3);
  assert.equal(r.xRealtime.length, 3);
  assert.ok(r.xRealtime.every((v) => v > 0));
});

test('codec figures are in the shared format: unit, median, spread over the runs, ffmpeg as a measured peer', () => {
  const figs = codecFigures('G722', { enc: [2000, 2600, 2500], dec: [2900, 2800, 3000], calls: [1300, 1400, 1350] }, { enc: [1600, 1500, 1700], dec: [2900, 2700, 2800] });
  const enc = figs.find((f) => f.key === 'codec-speed.codecs.g722.encode');
  assert.ok(enc);
  assert.equal(enc.unit, '× real time');
  assert.equal(enc.median, 2500);
  assert.deepEqual({ ...enc.spread }, { min: 2000, max: 2600, p25: 2250, p75: 2550, n: 3 });
  assert.equal(enc.peer?.kind, 'measured');
  assert.equal(enc.peer?.value, 1600);
  assert.ok(figs.some((f) => f.key === 'codec-speed.codecs.g722.calls-per-core' && f.unit === 'calls' && f.median === 1350 && !f.peer));
  // What the section's adapter keeps: every figure, none dropped as malformed.
  assert.equal(adaptResult('codec-speed', 'Codec speed', figs).figures.length, figs.length);
});

test('ratios pair ours with ffmpeg run by run', () => {
  assert.deepEqual(ratios([2000, 3000], [1000, 2000]), [2, 1.5]);
  assert.ok(Number.isNaN(ratios([1], [])[0]!), 'a missing peer run gives no ratio');
});
