import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EchoGate } from '../../../../agent/cascade/echo-gate.ts';
import { decodeInto, encodeInto } from '../../../../codecs/g711/mulaw.ts';

const RATE = 8000;
const FRAME = 160;

/** Speech-like test signal: noise under a syllable envelope (random 80–300 ms bursts and gaps). */
function speechLike(seconds: number, seed: number): Int16Array {
  let s = seed;
  const rnd = (): number => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const out = new Int16Array(seconds * RATE);
  let i = 0;
  while (i < out.length) {
    const on = Math.round((0.08 + rnd() * 0.22) * RATE);
    const amp = 3000 + rnd() * 9000;
    for (let k = 0; k < on && i < out.length; k++, i++) out[i] = Math.round((rnd() * 2 - 1) * amp * Math.sin((Math.PI * k) / on));
    i += Math.round((0.04 + rnd() * 0.15) * RATE);
  }
  return out;
}

/** Through G.711 μ-law both ways, as a real echo path would be. */
function g711(pcm: Int16Array): Int16Array {
  const bytes = new Uint8Array(pcm.length);
  encodeInto(pcm, bytes);
  const out = new Int16Array(pcm.length);
  decodeInto(bytes, out);
  return out;
}

/** Runs sent and received signals through a gate frame by frame; returns the share of speech frames called echo. */
function echoShare(sent: Int16Array, received: Int16Array): number {
  const gate = new EchoGate();
  gate.noteSent(sent, RATE, 0);
  let echo = 0;
  let frames = 0;
  for (let f = 0; (f + 1) * FRAME <= received.length; f++) {
    const frame = received.subarray(f * FRAME, (f + 1) * FRAME);
    const t = f * 20 + 10;
    gate.noteReceived(frame, t);
    if (f < 20 || rms(frame) < 300) continue; // the window must fill first; only frames a VAD could call speech
    frames++;
    if (gate.isEcho(t)) echo++;
  }
  return echo / frames;
}

function rms(x: Int16Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / x.length);
}

function delayed(pcm: Int16Array, ms: number, gain: number): Int16Array {
  const d = (ms * RATE) / 1000;
  const out = new Int16Array(pcm.length);
  for (let i = d; i < pcm.length; i++) out[i] = Math.round(pcm[i - d]! * gain);
  return out;
}

describe('echo gate', () => {
  const agent = speechLike(6, 1);
  it('calls the agent’s own voice at −12 dB, 100–200 ms late, through G.711, echo', () => {
    for (const ms of [100, 150, 200]) {
      const share = echoShare(agent, g711(delayed(g711(agent), ms, 0.25)));
      assert.ok(share > 0.9, `delay ${ms} ms: only ${(share * 100).toFixed(0)} % called echo`);
    }
  });

  it('does not call caller speech over the echo echo', () => {
    const caller = speechLike(6, 7);
    const mix = delayed(g711(agent), 150, 0.25).map((v, i) => Math.max(-32768, Math.min(32767, v + caller[i]!)));
    const share = echoShare(agent, g711(Int16Array.from(mix)));
    // Frames where the caller is much quieter than the agent stay ambiguous; the turn-taking reducer
    // bridges such short gaps, so a clear majority is what barge-in needs.
    assert.ok(share < 0.3, `${(share * 100).toFixed(0)} % of double talk called echo`);
  });

  it('does not call speech echo when nothing was sent', () => {
    assert.equal(echoShare(new Int16Array(0), speechLike(3, 3)), 0);
  });

  it('forgets audio cancelled before it was sent', () => {
    const gate = new EchoGate();
    gate.noteSent(agent, RATE, 0);
    gate.cancelAfter(1000);
    const rx = delayed(agent, 150, 0.25);
    for (let f = 0; f < 150; f++) gate.noteReceived(rx.subarray(f * FRAME, (f + 1) * FRAME), f * 20 + 10);
    assert.equal(gate.isEcho(2990), false);
  });
});
