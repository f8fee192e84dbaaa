/**
 * Wideband calls end to end: a real baresip calls the running gateway with only G.722, then with
 * only opus, and records what it hears. The recording must hold the spoken greeting at its real
 * length (16 kHz audio played at the right speed), carry energy above 4 kHz (wideband, not 8 kHz
 * upsampled), and have no click tone at the 20 ms frame rate (the G.722 frame-boundary artefact
 * peers complain of: livekit/sip #724, #608).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Baresip } from './harness/baresip.ts';
import { startGateway, type Gateway } from './harness/gateway.ts';
import { sleep } from './harness/eventually.ts';
import { readWav, speechEnergy, type Wav } from './harness/wav.ts';

const CONFIG = { calls: { drainTimeoutSec: 2 }, codecs: ['opus', 'G722', 'PCMU', 'PCMA'] };

/**
 * How much the signal's sample-to-sample jumps pile up at one phase of the 20 ms frame: the absolute
 * first differences are folded modulo the frame period; speech spreads them evenly over the phases,
 * a discontinuity at each frame boundary makes one phase stand out. Returns max bin / median bin.
 */
export function frameClickRatio(wav: Wav): number {
  const period = wav.sampleRate / 50;
  const bins = new Float64Array(period);
  const x = wav.samples;
  for (let i = 1; i < x.length; i++) bins[i % period]! += Math.abs(x[i]! - x[i - 1]!);
  const sorted = [...bins].sort((a, b) => a - b);
  const median = sorted[period >> 1]!;
  return median === 0 ? (sorted[period - 1] === 0 ? 1 : Infinity) : sorted[period - 1]! / median;
}

/** Fraction of the recording's energy above `hz`, from a DFT of each 20 ms frame. */
export function energyAbove(wav: Wav, hz: number): number {
  const n = wav.sampleRate / 50;
  let hi = 0;
  let all = 0;
  const cut = Math.ceil((hz * n) / wav.sampleRate);
  for (let start = 0; start + n <= wav.samples.length; start += n) {
    for (let k = 1; k < n / 2; k++) {
      let re = 0;
      let im = 0;
      for (let i = 0; i < n; i++) {
        const v = wav.samples[start + i]!;
        const w = (2 * Math.PI * k * i) / n;
        re += v * Math.cos(w);
        im -= v * Math.sin(w);
      }
      const p = re * re + im * im;
      all += p;
      if (k >= cut) hi += p;
    }
  }
  return all === 0 ? 0 : hi / all;
}

test('the click detector sees a discontinuity every 20 ms and passes clean audio', () => {
  let seed = 1;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) * 2 - 1;
  const clean = new Int16Array(16000 * 3).map((_, i) => Math.round(4000 * Math.sin(i / 7) + 500 * rnd()));
  const clicky = clean.map((v, i) => (i % 320 === 0 ? v + 3000 : v));
  assert.ok(frameClickRatio({ sampleRate: 16000, channels: 1, samples: clean, durationSec: 3 }) < 2);
  assert.ok(frameClickRatio({ sampleRate: 16000, channels: 1, samples: clicky, durationSec: 3 }) > 2);
});

describe('wideband baresip callers', () => {
  let gw: Gateway;

  before(async () => {
    gw = await startGateway({ config: CONFIG });
  });

  after(async () => {
    if (!gw) return;
    const running = gw.isRunning();
    const exit = await gw.stop();
    assert.ok(running, `gateway died during the tests: ${JSON.stringify(exit)}\n${gw.describe()}`);
  });

  const cases = [
    // baresip names codecs in accounts as name/PCM rate/channels.
    { codec: 'G722', account: 'G722/16000/1', decoder: /Set audio decoder: G722 16000Hz/ },
    { codec: 'opus', account: 'opus/48000/2', decoder: /Set audio decoder: opus 48000Hz/ },
  ] as const;

  for (const { codec, account, decoder } of cases) {
    test(`${codec}: the caller hears the greeting clearly, in wideband, without frame clicks`, { timeout: 45_000 }, async (t) => {
      const errors0 = await gw.metric('trunkline_codec_errors_total');
      const b = await Baresip.start({ codecs: [account], timeoutMs: 35_000 });
      try {
        b.dial(gw.uri());
        await b.waitFor(/Call established/, 10_000);
        await sleep(9000);
        b.hangup();
        await b.waitFor(/terminated/, 5000);
      } finally {
        await b.quit();
      }
      assert.match(b.log(), decoder, `codec not ${codec}:\n${b.log().slice(-2000)}`);
      const file = b.receivedWav();
      assert.ok(file, `baresip recorded nothing (${b.dir})\n${gw.describe()}`);
      const wav = readWav(file);
      const e = speechEnergy(wav);
      const clicks = frameClickRatio(wav);
      const high = energyAbove(wav, 4000);
      t.diagnostic(`${codec} heard at ${wav.sampleRate} Hz: ${JSON.stringify(e)}, click ratio ${clicks.toFixed(2)}, energy above 4 kHz ${(100 * high).toFixed(1)}%`);
      assert.ok(wav.sampleRate >= 16000, `recorded at ${wav.sampleRate} Hz`);
      assert.ok(e.durationSec >= 7 && e.durationSec <= 11, `received ${e.durationSec} s of audio in a 9 s call: ${JSON.stringify(e)}`);
      assert.ok(e.speechSec >= 1.5, `too little speech energy: ${JSON.stringify(e)} (${file})`);
      assert.ok(e.firstSpeechSec !== null && e.firstSpeechSec < 3, `greeting started late: ${JSON.stringify(e)}`);
      assert.ok(clicks < 2, `energy piles up at one phase of the 20 ms frame (ratio ${clicks.toFixed(2)}): frame-boundary clicks`);
      assert.ok(high > 0.002, `no energy above 4 kHz (${(100 * high).toFixed(3)}%): narrowband audio in a wideband call`);
      assert.equal(await gw.metric('trunkline_codec_errors_total'), errors0, 'no payload was rejected by our decoder');
    });
  }
});
