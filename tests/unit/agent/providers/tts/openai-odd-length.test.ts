import assert from 'node:assert/strict';
import { test } from 'node:test';
import type OpenAI from 'openai';
import { OpenAiTts } from '../../../../../agent/providers/tts/openai.ts';
import { metrics } from '../../../../../gateway/metrics.ts';

async function oddCount(): Promise<number> {
  const v = (await metrics.codecErrors.get()).values.find((x) => x.labels.codec === 'L16' && x.labels.problem === 'odd-length');
  return v?.value ?? 0;
}

/** A client whose /audio/speech body streams `chunks` as they are given. */
function clientStreaming(chunks: number[][]): OpenAI {
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (const ch of chunks) c.enqueue(Uint8Array.from(ch));
      c.close();
    },
  });
  return { audio: { speech: { create: async () => ({ body }) } } } as unknown as OpenAI;
}

async function samples(tts: OpenAiTts): Promise<number[]> {
  const out: number[] = [];
  for await (const c of tts.stream('hello', { signal: new AbortController().signal })) out.push(...c.pcm);
  return out;
}

test('chunks split inside a sample lose nothing and are not errors', async () => {
  const before = await oddCount();
  const tts = new OpenAiTts({ client: clientStreaming([[0x01], [0x02, 0x03], [0x04, 0xfe, 0xff]]), model: 'm', voice: 'v' });
  assert.deepEqual(await samples(tts), [0x0201, 0x0403, -2]);
  assert.equal(await oddCount(), before);
});

test('a byte left over at the end of the stream is counted as odd-length PCM', async () => {
  const before = await oddCount();
  const tts = new OpenAiTts({ client: clientStreaming([[0x01, 0x02, 0x03]]), model: 'm', voice: 'v' });
  assert.deepEqual(await samples(tts), [0x0201]);
  assert.equal((await oddCount()) - before, 1);
});
