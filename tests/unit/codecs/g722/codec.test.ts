import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CodecDataError, codecInfo, createDecoder, createEncoder } from '../../../../codecs/index.ts';
import { G722DecoderCore } from '../../../../codecs/g722/decoder.ts';
import { G722EncoderCore } from '../../../../codecs/g722/encoder.ts';

test('G.722 frames: 320 samples ↔ 160 octets, RTP clock 8000 (RFC 3551 §4.5.2)', () => {
  const info = codecInfo('G722');
  assert.equal(info.clockRate, 8000);
  assert.equal(info.sampleRate, 16000);
  const enc = createEncoder(info);
  const dec = createDecoder(info);
  const bytes = new Uint8Array(160);
  assert.equal(enc.encodeInto(new Int16Array(320), bytes), 160);
  assert.equal(dec.decodeInto(bytes, new Int16Array(320 * 6)), 320);
});

test('wrong-size G.722 payloads raise CodecDataError with what was still decoded', () => {
  const dec = createDecoder(codecInfo('G722'));
  const out = new Int16Array(320);
  assert.throws(() => dec.decodeInto(new Uint8Array(0), out), (e) => e instanceof CodecDataError && e.problem === 'size' && e.written === 0);
  assert.throws(() => dec.decodeInto(new Uint8Array(400), out), (e) => e instanceof CodecDataError && e.problem === 'size' && e.written === 320);
  assert.equal(dec.decodeInto(new Uint8Array(80), out), 160, 'a 10 ms payload is valid G.722');
  assert.equal(dec.concealInto(out), 160, 'concealment matches the last frame length');
  assert.ok(out.subarray(0, 160).some((v) => v !== 0), 'PLC (codecs/plc) on the 16 kHz output, not silence');
});

test('odd-length PCM encodes (the last sample paired with itself), never throws', () => {
  const enc = createEncoder(codecInfo('G722'));
  assert.equal(enc.encodeInto(new Int16Array(321), new Uint8Array(200)), 161);
});

test('state carries across calls of any size: irregular chunks encode and decode exactly as the whole stream', () => {
  // 2 s of a chirp plus a square burst: 16,000 octets, so the QMF delay line is shifted back many
  // times, at different offsets within a call and across call boundaries.
  const pcm = new Int16Array(32000);
  for (let i = 0; i < pcm.length; i++) pcm[i] = i % 4000 < 200 ? (i & 8 ? 30000 : -30000) : Math.round(12000 * Math.sin((i * i) / 4e5));
  const whole = new Uint8Array(16000);
  assert.equal(new G722EncoderCore().encode(pcm, whole), 16000);
  const sizes = [2, 320, 46, 1000, 2046, 8, 640, 98];
  const chunked = new Uint8Array(16000);
  const enc = new G722EncoderCore();
  for (let at = 0, k = 0; at < pcm.length; k++) {
    const n = Math.min(sizes[k % sizes.length]!, pcm.length - at);
    enc.encode(pcm.subarray(at, at + n), chunked.subarray(at / 2));
    at += n;
  }
  assert.deepEqual(chunked, whole);
  const decWhole = new Int16Array(32000);
  new G722DecoderCore().decode(whole, decWhole);
  const decChunked = new Int16Array(32000);
  const dec = new G722DecoderCore();
  for (let at = 0, k = 0; at < whole.length; k++) {
    const n = Math.min(sizes[k % sizes.length]! >> 1 || 1, whole.length - at);
    dec.decode(whole.subarray(at, at + n), decChunked.subarray(at * 2));
    at += n;
  }
  assert.deepEqual(decChunked, decWhole);
  assert.ok(decWhole.some((v) => Math.abs(v) > 5000), 'the decoder reproduces the signal');
});
