import assert from 'node:assert/strict';
import { test } from 'node:test';
import { plcParams } from '../../../../codecs/plc/params.ts';
import { findPitch } from '../../../../codecs/plc/pitch.ts';
import { harmonic } from './signal.ts';

test('Appendix I constants at 8 kHz, doubled at 16 kHz', () => {
  const p = plcParams(8000);
  assert.deepEqual([p.frame, p.pitchMin, p.pitchMax, p.overlapMax, p.historyLen, p.corrLen, p.decimation, p.recoveryOverlapStep], [80, 40, 120, 30, 390, 160, 2, 32]);
  const w = plcParams(16000);
  assert.deepEqual([w.frame, w.pitchMin, w.pitchMax, w.overlapMax, w.historyLen], [160, 80, 240, 60, 780]);
  assert.throws(() => plcParams(11025), RangeError);
});

// A whole multiple of the period repeats the waveform just as well: the coarse search runs on even
// lags only, so an odd period of 41 is found as 82 — what Appendix I does too.
test('findPitch finds the period (or a whole multiple of it) of harmonic tones across 40..120 samples', () => {
  const p = plcParams(8000);
  for (const period of [40, 41, 57, 64, 80, 99, 100, 117, 120]) {
    const buf = Float32Array.from(harmonic(period, p.historyLen));
    const lag = findPitch(buf, buf.length, p);
    assert.equal(lag % period, 0, `period ${period}: lag ${lag}`);
    if (period % 2 === 0) assert.equal(lag, period, 'even periods are found exactly');
  }
});

test('findPitch at 16 kHz finds the period in doubled units; silence gives a lag within range', () => {
  const p = plcParams(16000);
  for (const period of [88, 160, 232, 90]) {
    const buf = Float32Array.from(harmonic(period, p.historyLen));
    const lag = findPitch(buf, buf.length, p);
    assert.equal(lag % period, 0, `period ${period}: lag ${lag}`);
    if (period % 4 === 0) assert.equal(lag, period);
  }
  const lag = findPitch(new Float32Array(p.historyLen), p.historyLen, p);
  assert.ok(lag >= p.pitchMin && lag <= p.pitchMax);
});
