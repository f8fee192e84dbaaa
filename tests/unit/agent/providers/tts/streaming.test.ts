import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withFallback, type StreamingTts } from '../../../../../agent/providers/tts/streaming.ts';
import { ProviderError } from '../../../../../gateway/errors.ts';

const voice = (name: string, failAfter: number | null): StreamingTts => ({
  engine: name,
  describe: () => name,
  async *stream() {
    for (let i = 0; i < 3; i++) {
      if (failAfter === i) throw new ProviderError(name, 'down', true);
      yield { pcm: new Int16Array([i]), sampleRate: name === 'local' ? 22050 : 24000 };
    }
  },
});

async function drain(t: StreamingTts): Promise<number[]> {
  const out: number[] = [];
  for await (const c of t.stream('x', { signal: new AbortController().signal })) out.push(c.sampleRate);
  return out;
}

describe('TTS with a local fallback voice', () => {
  it('speaks the sentence with the fallback when the remote voice fails before any audio', async () => {
    const failures: Error[] = [];
    assert.deepEqual(await drain(withFallback(voice('remote', 0), voice('local', null), (e) => failures.push(e))), [22050, 22050, 22050]);
    assert.equal(failures.length, 1);
  });
  it('passes a failure mid-sentence on (no restart in another voice)', async () => {
    await assert.rejects(drain(withFallback(voice('remote', 2), voice('local', null))), ProviderError);
  });
  it('uses the remote voice when it works', async () => {
    assert.deepEqual(await drain(withFallback(voice('remote', null), voice('local', null))), [24000, 24000, 24000]);
  });
});
