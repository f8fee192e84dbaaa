import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bargeInStop, firstAudioAfter, turnOverhead } from '../../../../bench/lib/wire-turns.ts';

const pk = (at: number, audio: boolean): { at: number; audio: boolean } => ({ at, audio });

describe('turn overhead on the wire', () => {
  test('overhead = caller-side total − the model\'s own delay = input + output paths', () => {
    const o = turnOverhead({ lastVoicedSentAt: 1000, modelLastVoicedAt: 1052, modelFirstDeltaAt: 1352, firstAgentHeardAt: 1367 });
    assert.deepEqual(o, { totalMs: 367, modelMs: 300, overheadMs: 67, inputMs: 52, outputMs: 15 });
    assert.equal(o.overheadMs, o.inputMs + o.outputMs);
  });

  test('first agent audio strictly after a time', () => {
    const heard = [pk(10, true), pk(30, false), pk(50, true), pk(70, true)];
    assert.equal(firstAudioAfter(heard, 10), 50);
    assert.equal(firstAudioAfter(heard, 0), 10);
    assert.equal(firstAudioAfter(heard, 70), undefined);
  });
});

describe('barge-in stop on the wire', () => {
  test('last agent packet and the silent one after it, relative to speech_started', () => {
    const heard = [pk(900, true), pk(960, true), pk(980, true), pk(1000, true), pk(1020, false), pk(1040, false)];
    assert.deepEqual(bargeInStop(heard, 1005, 1400), { lastAgentMs: -5, firstSilentMs: 15 });
    assert.deepEqual(bargeInStop(heard, 990, 1400), { lastAgentMs: 10, firstSilentMs: 30 });
  });

  test('audio after the window (the next response) is ignored; a stop never seen or nothing playing is undefined', () => {
    const next = [pk(980, true), pk(1000, false), pk(1400, true), pk(1420, true)];
    assert.deepEqual(bargeInStop(next, 990, 1400), { lastAgentMs: -10, firstSilentMs: 10 });
    assert.equal(bargeInStop([pk(980, true), pk(1000, true)], 990, 1400), undefined, 'never stopped');
    assert.equal(bargeInStop([pk(500, true), pk(980, false), pk(1000, false)], 990, 1400), undefined, 'nothing playing in the 200 ms before');
  });

  test('a resumed stretch of audio inside the window moves the stop later', () => {
    const leak = [pk(980, true), pk(1000, false), pk(1020, true), pk(1040, false)];
    assert.deepEqual(bargeInStop(leak, 990, 1400), { lastAgentMs: 30, firstSilentMs: 50 });
  });
});
