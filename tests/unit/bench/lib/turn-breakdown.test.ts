import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { breakdown, parseTurnTimings } from '../../../../bench/lib/turn-breakdown.ts';

describe('cascade turn breakdown', () => {
  const log = [
    '{"level":30,"msg":"cascade started"}',
    '{"level":30,"turn":{"voiceEnd":0,"vadSilence":100,"endpoint":501,"sttFinal":501.2,"llmFirstText":-300,"firstSentence":-299,"ttsFirstAudio":501.5,"firstPacket":510},"voiceEndEpochMs":10045,"msg":"turn timing"}',
    '{"level":30,"turn":{"voiceEnd":0},"voiceEndEpochMs":99999999,"msg":"turn timing"}',
    '{"level":30,"msg":"turn timing" broken',
  ].join('\n');

  it('reads the turn timing lines of a pino log', () => {
    const t = parseTurnTimings(log);
    assert.equal(t.length, 2);
    assert.equal(t[0]!.voiceEndEpochMs, 10045);
    assert.equal(t[0]!.marks.endpoint, 501);
  });

  it('splits a turn on the wire into its stages, matched by the voice end', () => {
    const rows = breakdown([{ lastVoicedEpochMs: 10000, firstHeardEpochMs: 10556 }], parseTurnTimings(log), 500);
    const v = Object.fromEntries(rows.map((r) => [r.stage, r.values]));
    assert.deepEqual(v['caller packet → gateway arrival (voice end)'], [45]);
    assert.deepEqual(v['voice end → VAD says silence'], [100]);
    assert.deepEqual(v['voice end → endpoint, minus silence'], [1]);
    assert.deepEqual(v['endpoint → first sentence to TTS'], [-800]);
    assert.deepEqual(v['TTS audio queued → first packet sent'], [8.5]);
    assert.deepEqual(v['first packet sent → caller receives'], [1]);
    assert.deepEqual(v['TOTAL overhead (TTFA − silence)'], [56]);
  });

  it('skips a caller turn with no gateway turn near it', () => {
    const rows = breakdown([{ lastVoicedEpochMs: 50_000, firstHeardEpochMs: 50_600 }], parseTurnTimings(log), 500);
    assert.deepEqual(rows, []);
  });
});
