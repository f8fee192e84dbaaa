import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReplySpeaker } from '../../../../agent/cascade/speaker.ts';
import type { StreamingTts } from '../../../../agent/providers/tts/streaming.ts';
import { createResampler } from '../../../../codecs/index.ts';
import { Playout } from '../../../../gateway/media/playout.ts';

/** 100 ms of audio per word, at 8 kHz, each sample = the sentence's length (to tell them apart). */
const fakeTts: StreamingTts = {
  engine: 'fake',
  describe: () => 'fake',
  async *stream(text) {
    const words = text.split(' ').length;
    for (let w = 0; w < words; w++) yield { pcm: new Int16Array(800).fill(text.length), sampleRate: 8000 };
  },
};

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await tick();
}

/** Pulls `ms` of audio out of the playout, as the pacer would. */
function play(p: Playout, ms: number): void {
  const out = new Int16Array(160);
  for (let i = 0; i < ms / 20; i++) p.pullInto(out);
}

describe('reply speaker', () => {
  it('plays sentences in order and reports the whole reply heard', async () => {
    const p = new Playout({ sampleRate: 8000, makeResampler: createResampler });
    let first = 0;
    const sp = new ReplySpeaker('r', p, fakeTts, { onFirstAudio: () => first++ });
    sp.say('One two three.');
    sp.say('Four five.');
    sp.end();
    await settle();
    assert.equal(first, 1);
    play(p, 600);
    await settle();
    await sp.done;
    assert.equal(sp.heardText(), 'One two three. Four five.');
  });

  it('stop() truncates to what was heard: whole sentences, then the heard words of the cut one', async () => {
    const p = new Playout({ sampleRate: 8000, makeResampler: createResampler });
    const sp = new ReplySpeaker('r', p, fakeTts);
    sp.say('Alpha beta.');
    sp.say('Gamma delta epsilon zeta.');
    sp.end();
    await settle();
    play(p, 200 + 220); // the first sentence and a bit over half of the second
    await settle();
    assert.equal(sp.stop(), 'Alpha beta. Gamma delta…');
    assert.ok(p.idle);
  });

  it('pause() stops the audio at once; resume() goes on exactly where the caller stopped hearing', async () => {
    const p = new Playout({ sampleRate: 8000, makeResampler: createResampler });
    const sp = new ReplySpeaker('r', p, fakeTts);
    sp.say('a b c d');
    sp.end();
    await settle();
    play(p, 120);
    sp.pause();
    assert.ok(p.idle, 'audio still queued after pause');
    sp.resume();
    assert.equal(Math.round(p.queuedMs), 400 - 120);
    play(p, 400);
    await settle();
    await sp.done;
    assert.equal(sp.heardText(), 'a b c d');
  });

  it('reports what is queued, with when it will be on the wire, for the echo gate', async () => {
    const p = new Playout({ sampleRate: 8000, makeResampler: createResampler });
    const at: number[] = [];
    let now = 1000;
    const sp = new ReplySpeaker('r', p, fakeTts, { now: () => now, onQueued: (_pcm, _rate, t) => at.push(t) });
    sp.say('x y');
    sp.end();
    await settle();
    assert.deepEqual(at, [1000, 1100]);
    now = 2000;
  });
});
