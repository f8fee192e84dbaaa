import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { frameRms, lastVoicedIndex, voiceThreshold, VoiceEndTracker } from '../../../../../agent/providers/vad/voice-end.ts';

/** Frames of 20 ms at 8 kHz arriving every 20 ms from t = 1000; `levels` are their RMS. */
function track(levels: readonly number[], opts?: ConstructorParameters<typeof VoiceEndTracker>[0]): VoiceEndTracker {
  const t = new VoiceEndTracker(opts);
  levels.forEach((rms, i) => t.push(rms, (i + 1) * 160, 1000 + i * 20));
  return t;
}

describe('voice end (energy refinement of the VAD decision)', () => {
  it('frameRms is the root mean square', () => {
    assert.equal(frameRms(new Int16Array([3, -4, 3, -4])), Math.sqrt(12.5));
    assert.equal(frameRms(new Int16Array(0)), 0);
  });

  it('the threshold sits 6 dB over the noise floor, never under the minimum or 34 dB under the peak', () => {
    const noisy = [...Array<number>(20).fill(200), ...Array<number>(10).fill(4000)];
    assert.equal(voiceThreshold(noisy, 64), 400);
    assert.equal(voiceThreshold([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1000], 64), 64);
    assert.equal(voiceThreshold([...Array<number>(10).fill(10), 20000], 64), 400);
    assert.equal(voiceThreshold([], 64), 64);
  });

  it('lastVoicedIndex walks back within its bounds', () => {
    const e = [0, 900, 800, 10, 5, 3];
    assert.equal(lastVoicedIndex(e, 100, 0, 5), 2);
    assert.equal(lastVoicedIndex(e, 100, 3, 5), -1, 'must not look before `first`');
    assert.equal(lastVoicedIndex(e, 100, 0, 1), 1, 'must not look after `last`');
  });

  it('moves the end back from the VAD decision to the last voiced frame (digital silence after speech)', () => {
    // 1 s of speech, then silence the VAD keeps calling speech for 5 more chunks.
    const levels = [...Array<number>(50).fill(3000), ...Array<number>(8).fill(0)];
    const t = track(levels);
    // Decision for the chunk ending at frame 57 (sample 58·160), made 3 ms after that frame arrived.
    const decidedAt = 1000 + 57 * 20 + 3;
    assert.equal(t.voiceEnd(58 * 160, decidedAt), 1000 + 49 * 20, 'the 50th frame was the last with voice');
  });

  it('finds the voice end above a line noise floor', () => {
    const levels = [...Array<number>(40).fill(150), ...Array<number>(30).fill(2500), 900, 400, ...Array<number>(6).fill(160)];
    const t = track(levels);
    // 900 and 400 stand above 2 × 150 (the floor): the voice ends on the 400 frame (index 71).
    assert.equal(t.voiceEnd(levels.length * 160, 5000), 1000 + 71 * 20);
  });

  it('ignores frames after the decided chunk, and keeps the decision when nothing is voiced in reach', () => {
    const levels = [...Array<number>(30).fill(3000), ...Array<number>(30).fill(0), 3000];
    const t = track(levels, { maxWalkBackMs: 300 });
    // The chunk ends at frame 59: the loud frame 60 came after it; 30 silent frames (600 ms) are more
    // than the walk-back reaches, so the VAD's own decision stands.
    assert.equal(t.voiceEnd(60 * 160, 2300), 2300);
  });

  it('never moves the end after the decision', () => {
    const t = track(Array<number>(20).fill(3000));
    assert.equal(t.voiceEnd(20 * 160, 1100), 1100);
  });

  it('keeps a bounded history', () => {
    const t = track(Array.from({ length: 1000 }, (_, i) => (i % 2 ? 3000 : 0)), { historyFrames: 10 });
    assert.equal(t.voiceEnd(1000 * 160, 999_999), 1000 + 999 * 20);
    assert.equal(t.voiceEnd(900 * 160, 1), 1, 'frames that old are forgotten: the decision stands');
  });
});
