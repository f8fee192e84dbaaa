import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBenchCpuSec } from '../../../../bench/lib/ffmpeg-speed.ts';
import { adaptResult } from '../../../../bench/lib/plugged.ts';
import { parseStatCpuSec, parseStatusRss } from '../../../../bench/lib/proc.ts';
import { parseRttCsv } from '../../../../bench/lib/sipp-load.ts';
import { trialVerdict } from '../../../../bench/sections/calls-per-core-step.ts';

test('/proc/<pid>/stat CPU time survives a command name with spaces and parentheses', () => {
  const stat = '1234 (node (main) x) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 11 0 100 1000 2000';
  assert.equal(parseStatCpuSec(stat), 3);
  assert.equal(parseStatusRss('Name:\tnode\nVmRSS:\t  51200 kB\n'), 51200 * 1024);
  assert.throws(() => parseStatusRss('Name: x'));
});

test('SIPp rtt CSV and ffmpeg -benchmark output', () => {
  assert.deepEqual(parseRttCsv('Date_ms;response_time_ms;rtd_no\n1700000000000;1.250000;rtd_1\n1700000000001;3.5;rtd_1\n'), [1.25, 3.5]);
  assert.equal(parseBenchCpuSec('size=N/A\nbench: utime=0.250s stime=0.050s rtime=0.400s\n'), 0.3);
  assert.throws(() => parseBenchCpuSec('nothing'));
});

test('a calls-per-core trial passes only when every call is up, nothing is lost and p99 < 5 ms', () => {
  const ok = { calls: 100, activeAtStart: 100, activeAtEnd: 100, streams: 100, errP50Ms: 0.2, errP99Ms: 1.5, errMaxMs: 4, lost: 0, captureDrops: 0, cpuPerCallSecond: 0.003, memoryPerCallBytes: 1000, pacerSkipped: 0, sippFailed: 0 };
  assert.equal(trialVerdict(ok), undefined);
  assert.match(trialVerdict({ ...ok, errP99Ms: 5 }) ?? '', /p99 interval error 5\.00 ms/);
  assert.match(trialVerdict({ ...ok, lost: 2 }) ?? '', /2 outbound frames lost/);
  assert.match(trialVerdict({ ...ok, activeAtEnd: 90 }) ?? '', /only 90 of 100 calls up/);
  assert.match(trialVerdict({ ...ok, captureDrops: 3 }) ?? '', /inconclusive/);
  assert.match(trialVerdict({ ...ok, sippFailed: 1 }) ?? '', /SIPp/);
});

test('plugged benchmarks: figure arrays and section results are adapted, anything else is kept as detail', () => {
  const fig = { key: 'vad.cost', label: 'VAD', unit: 'µs', median: 40 };
  assert.deepEqual(adaptResult('vad', 'VAD', [fig]).figures, [fig]);
  const r = adaptResult('vad', 'VAD', { figures: [fig], notes: ['n'] });
  assert.equal(r.status, 'ok');
  assert.deepEqual(r.notes, ['n']);
  const raw = adaptResult('vad', 'VAD', { perChunkUs: 40 });
  assert.equal(raw.status, 'partial');
  assert.deepEqual(raw.detail, { perChunkUs: 40 });
});
