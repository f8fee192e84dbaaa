import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SentenceSplitter } from '../../../../agent/cascade/sentence-splitter.ts';
import { completeness, DEFAULT_BACKCHANNELS, isBackchannel } from '../../../../agent/cascade/text-rules.ts';

describe('sentence splitter', () => {
  it('cuts the first clause early, then whole sentences, across arbitrary deltas', () => {
    const s = new SentenceSplitter();
    const out: string[] = [];
    for (const d of ['Sure, I can help', ' with that ticket, right away. Your Sev-1 ', 'is open! Anything', ' else?']) out.push(...s.push(d));
    out.push(...s.flush());
    assert.deepEqual(out, ['Sure, I can help with that ticket,', 'right away.', 'Your Sev-1 is open!', 'Anything else?']);
  });
  it('does not cut inside numbers or after single-letter abbreviations', () => {
    const s = new SentenceSplitter();
    assert.deepEqual([...s.push('Version 3.5 of U.S. service is up. '), ...s.flush()], ['Version 3.5 of U.S. service is up.']);
  });
});

describe('text rules', () => {
  it('recognises backchannels, alone or combined, and nothing longer', () => {
    for (const t of ['uh-huh', 'Yeah.', 'okay, right', 'Mm-hmm!', 'I see']) assert.ok(isBackchannel(t, DEFAULT_BACKCHANNELS, 3), t);
    for (const t of ['', 'yeah but no', 'stop', 'okay so what about the cluster']) assert.ok(!isBackchannel(t, DEFAULT_BACKCHANNELS, 3), t);
  });
  it('tells finished phrases from ones cut off mid-way', () => {
    assert.equal(completeness('My ticket is dropping payloads.'), 'complete');
    assert.equal(completeness('I want to talk about the'), 'incomplete');
    assert.equal(completeness('So,'), 'incomplete');
    assert.equal(completeness(undefined), 'unknown');
  });
});
