import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createRequire } from 'node:module';
import { CodecDataError, bandOf, createDecoder, createEncoder, negotiateOpus, opusInfo } from '../../../../codecs/index.ts';
import type { CodecInfo } from '../../../../codecs/types.ts';
import { db, goertzel, rms, tone } from '../resample/signal.ts';

const info = (rate: number, fmtp?: string): CodecInfo => opusInfo(111, negotiateOpus(fmtp, { sampleRate: rate, complexity: 5, bitrate: 32000 }));

/** Encodes `pcm` in 20 ms frames; returns the packets. */
function encodeAll(codec: CodecInfo, pcm: Int16Array): Uint8Array[] {
  const enc = createEncoder(codec);
  const frame = codec.sampleRate / 50;
  const out: Uint8Array[] = [];
  const buf = new Uint8Array(1500);
  for (let i = 0; i + frame <= pcm.length; i += frame) out.push(buf.slice(0, enc.encodeInto(pcm.subarray(i, i + frame), buf)));
  return out;
}

describe('opus', () => {
  for (const rate of [16000, 24000]) {
    test(`round trip at ${rate} Hz keeps a 1 kHz tone and adds little else`, () => {
      const codec = info(rate);
      const packets = encodeAll(codec, tone(rate, 1000, 1, 10000));
      const dec = createDecoder(codec);
      const frame = new Int16Array(rate / 50 * 6);
      const pcm: number[] = [];
      for (const p of packets) {
        const n = dec.decodeInto(p, frame);
        assert.equal(n, rate / 50, 'one 20 ms frame per packet, at the internal rate (no 48 kHz hop)');
        pcm.push(...frame.subarray(0, n));
      }
      const from = rate / 5; // skip the first 200 ms (encoder start-up)
      const level = goertzel(pcm, rate, 1000, from);
      assert.ok(Math.abs(db(level / 10000)) < 2, `1 kHz level ${db(level / 10000).toFixed(2)} dB`);
      assert.ok(db(level / goertzel(pcm, rate, 3000, from)) > 30);
      assert.ok(packets.every((p) => p.length > 10 && p.length < 200), 'plausible packet sizes at 32 kbit/s');
    });
  }

  test('a stereo 48 kHz stream (opus/48000/2 offer) decodes to mono at 16 kHz', () => {
    const { OpusEncoder } = createRequire(import.meta.url)('@discordjs/opus') as { OpusEncoder: new (r: number, c: number) => { encode(b: Buffer): Buffer } };
    const stereo = new OpusEncoder(48000, 2);
    const dec = createDecoder(info(16000));
    const out = new Int16Array(320 * 6);
    const pcm = Buffer.alloc(960 * 4);
    for (let i = 0; i < 960; i++) {
      pcm.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 500 * i) / 48000)), 4 * i);
      pcm.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 500 * i) / 48000)), 4 * i + 2);
    }
    let n = 0;
    for (let k = 0; k < 10; k++) n = dec.decodeInto(stereo.encode(pcm), out);
    assert.equal(n, 320);
    assert.ok(rms(out, 0, 320) > 2000, 'the downmix carries the signal');
  });

  test('a lost packet is concealed (not silence) and the stream recovers right after', () => {
    const codec = info(16000);
    const src = tone(16000, 440, 1, 10000);
    const packets = encodeAll(codec, src);
    const dec = createDecoder(codec);
    const out = new Int16Array(320 * 6);
    const levels: number[] = [];
    packets.forEach((p, k) => {
      const n = k === 25 ? dec.concealInto(out) : dec.decodeInto(p, out);
      assert.equal(n, 320);
      levels.push(rms(out, 0, n));
    });
    const normal = levels[24]!;
    assert.ok(levels[25]! > normal * 0.3, `concealment at ${db(levels[25]! / normal).toFixed(1)} dB`);
    assert.ok(levels[27]! > normal * 0.7, `recovery at ${db(levels[27]! / normal).toFixed(1)} dB`);
  });

  test('corrupt, empty or truncated packets raise CodecDataError (the leg counts and conceals)', () => {
    const dec = createDecoder(info(16000));
    const out = new Int16Array(1920);
    for (const bad of [Uint8Array.of(0xff), Uint8Array.of(0x03), Uint8Array.of(0x7b, 0xff, 0xff), new Uint8Array(0)]) {
      assert.throws(() => dec.decodeInto(bad, out), (e) => e instanceof CodecDataError && e.codec === 'opus');
    }
    assert.equal(dec.concealInto(out), 320, 'concealment before any good packet is silence of one frame');
    assert.equal(rms(out, 0, 320), 0);
  });

  test('odd-length or short PCM is padded to a 20 ms frame, never thrown', () => {
    const enc = createEncoder(info(16000));
    const buf = new Uint8Array(1500);
    assert.ok(enc.encodeInto(new Int16Array(319), buf) > 0);
    assert.ok(enc.encodeInto(new Int16Array(401), buf) > 0);
  });
});

describe('negotiateOpus (RFC 7587 fmtp)', () => {
  test('defaults: 16 kHz internal rate, no FEC asked, wideband', () => {
    const p = negotiateOpus(undefined);
    assert.equal(p.sampleRate, 16000);
    assert.equal(p.peerUsesFec, false);
    assert.equal(p.complexity, 5);
    assert.equal(bandOf(opusInfo(111, p)), 'wide');
  });

  test('maxplaybackrate and sprop-maxcapturerate cap the rate; useinbandfec and stereo are read', () => {
    const p = negotiateOpus('maxplaybackrate=8000; sprop-maxcapturerate=8000;useinbandfec=1; stereo=1', { sampleRate: 24000, complexity: 5, bitrate: 24000 });
    assert.equal(p.sampleRate, 8000);
    assert.equal(p.peerUsesFec, true);
    assert.equal(p.peerWantsStereo, true);
    assert.equal(bandOf(opusInfo(111, p)), 'narrow');
    const swb = negotiateOpus('maxplaybackrate=48000', { sampleRate: 24000, complexity: 5, bitrate: 24000 });
    assert.equal(swb.sampleRate, 24000);
    assert.equal(bandOf(opusInfo(111, swb)), 'super');
    assert.equal(negotiateOpus('maxplaybackrate=12000;sprop-maxcapturerate=12000').sampleRate, 16000, '12 kHz rounds up to a rate the resampler knows');
  });
});
