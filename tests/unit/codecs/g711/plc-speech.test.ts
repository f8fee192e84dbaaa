import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { EspeakTts } from '../../../../agent/providers/tts/espeak.ts';
import { codecInfo, createDecoder, createEncoder } from '../../../../codecs/index.ts';
import type { CodecName } from '../../../../codecs/types.ts';

/**
 * G.711 Appendix I PLC on real speech (espeak-ng at 8 kHz through the PCMU/PCMA codecs): 1, 2 and 3
 * consecutive 20 ms packets are dropped at every voiced position, one loss at a time, and the
 * concealment is compared with the loss-free decode over the lost frames.
 *
 * Waveform SNR is a harsh judge of waveform substitution (a pitch period copied a few samples out of
 * phase scores below silence), so two measures are used, both 0 dB for silence:
 * - waveform SNR over the first 10 ms of each loss, where the repeated period is still in phase;
 * - spectral SNR over the whole loss (10 ms Hann-windowed magnitude spectra), which is what a
 *   listener and an STT front end mostly hear.
 * Measured on this sentence (espeak-ng 1.51, a loss every 40 ms of loud speech): median first-10 ms
 * SNR 3.1, 3.1, 2.6 dB and spectral SNR 4.6, 2.4, 1.7 dB for 1, 2 and 3 lost packets (the longer
 * losses fade towards silence by design, so they score nearer 0 dB).
 */

const F = 160;
const SENTENCE = 'Please hold while we connect your call to the next available agent. Thank you for waiting.';
let speech: Int16Array;

before(async () => {
  speech = (await new EspeakTts().synthesize(SENTENCE, { sampleRate: 8000 })).pcm;
});

function encodeAll(name: CodecName, pcm: Int16Array): Uint8Array[] {
  const enc = createEncoder(codecInfo(name));
  const buf = new Uint8Array(F);
  const out: Uint8Array[] = [];
  for (let i = 0; i + F <= pcm.length; i += F) out.push(buf.slice(0, enc.encodeInto(pcm.subarray(i, i + F), buf)));
  return out;
}

/**
 * What a leg plays: decodeInto for received packets, concealInto for lost ones (as rtp-leg does);
 * with `naive`, a lost frame is a copy of the last one instead (the click-prone baseline).
 */
function play(name: CodecName, payloads: Uint8Array[], lost: ReadonlySet<number>, naive = false): Int16Array {
  const dec = createDecoder(codecInfo(name));
  const out = new Int16Array(payloads.length * F);
  const frame = new Int16Array(F);
  payloads.forEach((p, k) => {
    const n = !lost.has(k) ? dec.decodeInto(p, frame) : naive ? F : dec.concealInto(frame);
    assert.equal(n, F);
    out.set(frame, k * F);
  });
  return out;
}

function energy(x: Int16Array, from: number, to: number, ref?: Int16Array): number {
  let e = 0;
  for (let i = from; i < to; i++) e += (x[i]! - (ref ? ref[i]! : 0)) ** 2;
  return e;
}

/** Magnitude spectrum of an 80-sample Hann-windowed block (direct DFT: short and test-only). */
function spectrum(x: Int16Array, at: number): Float64Array {
  const n = 80;
  const m = new Float64Array(n / 2);
  for (let b = 0; b < n / 2; b++) {
    let re = 0;
    let im = 0;
    for (let i = 0; i < n; i++) {
      const v = x[at + i]! * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1)));
      re += v * Math.cos((2 * Math.PI * b * i) / n);
      im -= v * Math.sin((2 * Math.PI * b * i) / n);
    }
    m[b] = Math.hypot(re, im);
  }
  return m;
}

function db(signal: number, noise: number): number {
  return 10 * Math.log10(signal / Math.max(noise, 1e-9));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

for (const burst of [1, 2, 3]) {
  test(`PCMU, ${burst} × 20 ms lost at every voiced position: concealment beats silence, no clicks`, (t) => {
    const payloads = encodeAll('PCMU', speech);
    const ref = play('PCMU', payloads, new Set());
    const firstSnr: number[] = [];
    let specSignal = 0;
    let specError = 0;
    let clicks = 0;
    let naiveClicks = 0;
    let positions = 0;
    for (let k = 5; k + burst < payloads.length; k += 2) {
      const from = k * F;
      const to = (k + burst) * F;
      if (Math.sqrt(energy(ref, from, to) / (to - from)) < 1000) continue; // voiced / loud speech only
      positions++;
      const lost = new Set(Array.from({ length: burst }, (_, i) => k + i));
      const got = play('PCMU', payloads, lost);
      // Outside the loss and the recovery frame, nothing changes.
      assert.deepEqual(got.subarray(0, from), ref.subarray(0, from));
      assert.deepEqual(got.subarray(to + F), ref.subarray(to + F));
      firstSnr.push(db(energy(ref, from, from + 80), energy(got, from, from + 80, ref)));
      for (let at = from; at < to; at += 80) {
        const a = spectrum(ref, at);
        const b = spectrum(got, at);
        for (let q = 0; q < a.length; q++) {
          specSignal += a[q]! ** 2;
          specError += (a[q]! - b[q]!) ** 2;
        }
      }
      // Discontinuity: the largest step across each join (±2 samples) against the original's largest
      // step over what the concealment copies from (the 50 ms history before the loss) up to the join.
      const naive = play('PCMU', payloads, lost, true);
      for (const j of [from, to]) {
        const bound = 1.2 * maxStep(ref, from - 400, j + 40) + 100;
        if (maxStep(got, j - 2, j + 2) > bound) clicks++;
        if (maxStep(naive, j - 2, j + 2) > bound) naiveClicks++;
      }
    }
    assert.ok(positions >= 40, `voiced positions tested: ${positions}`);
    const first = median(firstSnr);
    const spectral = db(specSignal, specError);
    const margin = [3, 1.5, 1][burst - 1]!;
    assert.ok(first > 2, `median waveform SNR over the first 10 ms: ${first.toFixed(2)} dB (silence: 0 dB)`);
    assert.ok(spectral > margin, `spectral SNR over the lost frames: ${spectral.toFixed(2)} dB, want > ${margin} (silence: 0 dB)`);
    assert.equal(clicks, 0, `joins with a step beyond the original's: ${clicks} of ${2 * positions}`);
    assert.ok(naiveClicks >= 3, `the click measure has teeth: repeating the last frame clicks at ${naiveClicks} of ${2 * positions} joins`);
    t.diagnostic(`${burst} lost: ${positions} positions; first-10 ms SNR median ${first.toFixed(2)} dB; spectral SNR ${spectral.toFixed(2)} dB; naive clicks ${naiveClicks}`);
  });
}

function maxStep(x: Int16Array, from: number, to: number): number {
  let m = 0;
  for (let i = Math.max(0, from); i < Math.min(x.length - 1, to); i++) m = Math.max(m, Math.abs(x[i + 1]! - x[i]!));
  return m;
}

test('PCMA too: a lost packet mid-word is concealed with speech-level audio, silent after 60 ms', () => {
  const payloads = encodeAll('PCMA', speech);
  const ref = play('PCMA', payloads, new Set());
  let k = 10;
  while (k < payloads.length && Math.sqrt(energy(ref, k * F, (k + 1) * F) / F) < 2000) k++;
  const lost = new Set([k, k + 1, k + 2, k + 3]); // 80 ms
  const got = play('PCMA', payloads, lost);
  const level = (x: Int16Array, a: number, b: number): number => Math.sqrt(energy(x, a, b) / (b - a));
  assert.ok(level(got, k * F, k * F + 80) > 0.3 * level(ref, (k - 1) * F, k * F), 'the first 10 ms carry on at speech level');
  assert.ok(got.subarray(k * F + 480, (k + 4) * F).every((v) => v === 0), 'silent from 60 ms');
});
