import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CodecDataError, codecInfo, createDecoder, createEncoder } from '../../../../codecs/index.ts';

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
  assert.ok(out.subarray(0, 160).every((v) => v === 0));
});

test('odd-length PCM encodes (the last sample paired with itself), never throws', () => {
  const enc = createEncoder(codecInfo('G722'));
  assert.equal(enc.encodeInto(new Int16Array(321), new Uint8Array(200)), 161);
});
