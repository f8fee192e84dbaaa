import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EnergyTurnDetector, loudShare, rms } from '../../../../bench/lib/turn-detect.ts';

const loud = (n: number): Int16Array => Int16Array.from({ length: n }, (_, i) => (i % 2 ? 3000 : -3000));
const quiet = (n: number): Int16Array => new Int16Array(n);

describe('EnergyTurnDetector (the fake model server_vad stand-in)', () => {
  test('speech starts on the first voiced chunk and stops after silenceMs of audio, reporting the last voiced arrival', () => {
    const d = new EnergyTurnDetector({ voicedRms: 200, silenceMs: 60, sampleRate: 8000 });
    assert.equal(d.push(quiet(160), 0), undefined, 'silence before speech is nothing');
    assert.deepEqual(d.push(loud(160), 20), { type: 'speech-started', at: 20 });
    assert.equal(d.push(loud(160), 40), undefined);
    assert.equal(d.push(quiet(160), 60), undefined);
    assert.equal(d.push(loud(160), 80), undefined, 'a short pause does not end the turn');
    assert.equal(d.push(quiet(160), 100), undefined);
    assert.equal(d.push(quiet(160), 120), undefined);
    assert.deepEqual(d.push(quiet(160), 140), { type: 'speech-stopped', at: 140, lastVoicedAt: 80 });
    assert.equal(d.speaking, false);
    assert.equal(d.push(quiet(160), 160), undefined, 'one stop per turn');
  });

  test('silence is counted in audio time, not in chunks (a burst of late appends ends the turn as soon as enough audio came)', () => {
    const d = new EnergyTurnDetector({ voicedRms: 200, silenceMs: 100, sampleRate: 24000 });
    d.push(loud(480), 0);
    assert.equal(d.push(quiet(480 * 4), 5), undefined, '80 ms');
    assert.deepEqual(d.push(quiet(480), 6), { type: 'speech-stopped', at: 6, lastVoicedAt: 0 });
  });

  test('rms and loudShare', () => {
    assert.equal(rms(loud(10)), 3000);
    assert.equal(rms(quiet(0)), 0);
    const tail = new Int16Array(320);
    tail.fill(5000, 0, 20); // a codec's 1.25 ms tail after a tone stopped
    assert.ok(rms(tail) > 300, 'RMS alone would call it audio');
    assert.ok(loudShare(tail, 1000) < 0.1);
    assert.equal(loudShare(loud(320), 1000), 1);
  });
});
