import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { asCodecBenchResult, codecBenchFigures } from '../../../../bench/lib/codec-bench-figures.ts';
import { adaptResult } from '../../../../bench/lib/plugged.ts';

const RAW = {
  node: 'v20',
  codecs: {
    G722: { encode: { xRealtime: 310, audioSec: 600, cpuSec: 1.9 }, decode: { xRealtime: 420 }, callsPerCore: 178, ffmpeg: { encode: { xRealtime: 900 }, decode: { xRealtime: 1000 } } },
    'opus@16k c5': { encode: { xRealtime: 90 }, decode: { xRealtime: 400 }, callsPerCore: 73 },
  },
  resampler: { '8000→16000': { throughput: { xRealtime: 2000 }, delayMs: 0.9, callsPerCore: 2000 } },
};

describe('runCodecBench() adapter', () => {
  test('plain object → Figures with unit, median, spread and the ffmpeg peer', () => {
    const f = codecBenchFigures(RAW);
    const g = f.find((x) => x.key === 'codec-speed.codecs.g722.encode');
    assert.ok(g);
    assert.equal(g.unit, '× real time');
    assert.equal(g.median, 310);
    assert.deepEqual(g.spread, { min: 310, max: 310, p25: 310, p75: 310, n: 1 });
    assert.equal(g.peer?.value, 900);
    assert.equal(g.peer?.kind, 'measured');
    assert.ok(f.some((x) => x.key === 'codec-speed.codecs.opus-16k-c5.decode' && x.median === 400 && !x.peer));
    assert.ok(f.some((x) => x.key === 'codec-speed.codecs.g722.calls-per-core' && x.unit === 'calls' && x.median === 178));
    assert.ok(f.some((x) => x.key === 'codec-speed.resampler.8000-to-16000' && x.median === 2000));
    assert.equal(new Set(f.map((x) => x.key)).size, f.length, 'keys are unique');
  });

  test('through adaptResult the section gets figures and keeps the raw object as detail', () => {
    const r = adaptResult('codec-speed', 'Codec speed', asCodecBenchResult(RAW));
    assert.equal(r.status, 'ok');
    assert.equal(r.figures.length, 7);
    assert.deepEqual(r.detail, RAW);
  });

  test('the shared format passes through untouched; junk stays junk', () => {
    const figs = [{ key: 'a', label: 'a', unit: 'x', median: 1 }];
    assert.equal(asCodecBenchResult(figs), figs);
    assert.deepEqual(codecBenchFigures('nope'), []);
    assert.deepEqual(asCodecBenchResult({ other: 1 }), { other: 1 });
    assert.equal(adaptResult('codec-speed', 'Codec speed', asCodecBenchResult({ other: 1 })).status, 'partial');
  });
});
