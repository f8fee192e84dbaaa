import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EspeakTts } from '../../../../../agent/providers/tts/espeak.ts';
import { ProviderError } from '../../../../../gateway/errors.ts';
import { registry } from '../../../../../gateway/metrics.ts';

const SENTENCE = 'Press one to hear our opening hours, or press nine to hang up.';

function rms(pcm: Int16Array): number {
  let s = 0;
  for (const v of pcm) s += v * v;
  return Math.sqrt(s / Math.max(1, pcm.length));
}
async function synthesisCount(): Promise<number> {
  const m = await registry.getSingleMetric('trunkline_tts_synthesis_seconds')!.get();
  const values = m.values as Array<{ metricName?: string; labels: Record<string, unknown>; value: number }>;
  return values.find((v) => v.metricName === 'trunkline_tts_synthesis_seconds_count' && v.labels.engine === 'espeak')?.value ?? 0;
}

test('a sentence becomes non-silent speech of plausible duration at the requested rate', async () => {
  const tts = new EspeakTts();
  const before = await synthesisCount();
  const r = await tts.synthesize(SENTENCE, { sampleRate: 8000 });
  assert.equal(r.sampleRate, 8000);
  const seconds = r.pcm.length / 8000;
  // 13 words at 175 words per minute is about 4.5 s; allow espeak's pauses either way.
  assert.ok(seconds > 2.5 && seconds < 8, `duration ${seconds} s`);
  assert.ok(rms(r.pcm) > 500, `rms ${rms(r.pcm)}`);
  assert.equal(await synthesisCount(), before + 1);

  const native = await tts.synthesize(SENTENCE);
  assert.equal(native.sampleRate, 22050, 'espeak-ng native rate');
  assert.ok(Math.abs(native.pcm.length / 22050 - seconds) < 0.01, 'same speech, another rate');
  const fast = await tts.synthesize(SENTENCE, { sampleRate: 8000, speed: 2 });
  assert.ok(fast.pcm.length < r.pcm.length * 0.7, 'speed shortens the speech');
});

test('the cache returns the identical buffer without running espeak again, and persists on disk', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trunkline-tts-'));
  const tts = new EspeakTts({ cacheDir: join(dir, 'cache') });
  const first = await tts.synthesize(SENTENCE, { sampleRate: 16000 });
  assert.equal(tts.synthesisRuns, 1);
  const second = await tts.synthesize(SENTENCE, { sampleRate: 16000 });
  assert.equal(second.pcm, first.pcm, 'same Int16Array instance');
  assert.equal(tts.synthesisRuns, 1);

  const files = readdirSync(join(dir, 'cache'));
  assert.equal(files.length, 1);
  assert.match(files[0]!, /^[0-9a-f]{64}\.pcm$/);
  assert.equal(statSync(join(dir, 'cache', files[0]!)).size, first.pcm.byteLength);

  // A new process (new instance) whose espeak is missing still gets the prompt: from disk.
  const offline = new EspeakTts({ cacheDir: join(dir, 'cache'), command: '/nonexistent/espeak-ng' });
  const fromDisk = await offline.synthesize(SENTENCE, { sampleRate: 16000 });
  assert.deepEqual(fromDisk.pcm, first.pcm);
  assert.equal(fromDisk.sampleRate, 16000);
  assert.equal(offline.synthesisRuns, 0);
  // …but another rate is another key and needs espeak.
  await assert.rejects(offline.synthesize(SENTENCE, { sampleRate: 8000 }), ProviderError);
});

test('concurrent requests for the same prompt share one synthesis', async () => {
  const tts = new EspeakTts();
  const results = await Promise.all([1, 2, 3, 4].map(() => tts.synthesize('Goodbye.', { sampleRate: 8000 })));
  assert.equal(tts.synthesisRuns, 1);
  for (const r of results) assert.equal(r.pcm, results[0]!.pcm);
  await tts.synthesize('Goodbye!', { sampleRate: 8000 });
  assert.equal(tts.synthesisRuns, 2, 'different text is a different key');
});

test('a missing espeak-ng is a non-retryable ProviderError that says what to install, and is not cached', async () => {
  const tts = new EspeakTts({ command: '/nonexistent/espeak-ng' });
  for (let i = 1; i <= 2; i++) {
    await assert.rejects(tts.synthesize('Hello.'), (err: unknown) => {
      assert.ok(err instanceof ProviderError);
      assert.equal(err.provider, 'espeak');
      assert.equal(err.retryable, false);
      assert.match(err.message, /install the Debian package espeak-ng/);
      return true;
    });
    assert.equal(tts.synthesisRuns, i, 'a failure is retried on the next request, not cached');
  }
});

test('an unknown voice fails with espeak-ng\'s reason; a voice that looks like an option is refused', async () => {
  await assert.rejects(new EspeakTts({ voice: 'xx-nothing' }).synthesize('Hello.'), (err: unknown) => err instanceof ProviderError && /espeak-ng failed/.test(err.message));
  const tts = new EspeakTts();
  await assert.rejects(tts.synthesize('Hello.', { voice: '--help' }), ProviderError);
  assert.equal(tts.synthesisRuns, 0);
});

test('text that looks like an option is spoken, not parsed (it goes in on stdin)', async () => {
  const r = await new EspeakTts().synthesize('-v xx --help', { sampleRate: 8000 });
  assert.ok(r.pcm.length > 4000 && rms(r.pcm) > 300);
});

test('an aborted request rejects with the abort reason', async () => {
  const ac = new AbortController();
  ac.abort(new Error('caller hung up'));
  await assert.rejects(new EspeakTts().synthesize('Hello.', { signal: ac.signal }), /caller hung up/);
});
