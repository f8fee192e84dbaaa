import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AlawDecoder, AlawEncoder } from '../../../../codecs/g711/alaw.ts';
import { MulawDecoder, MulawEncoder, decodeInto, encodeInto } from '../../../../codecs/g711/mulaw.ts';
import { CODECS } from '../../../../codecs/index.ts';

test('encodeInto/decodeInto write min(in, out) into caller buffers and report the count', () => {
  const pcm = new Int16Array([0, 1000, -1000, 32767, -32768]);
  const small = new Uint8Array(3).fill(0xaa);
  assert.equal(encodeInto(pcm, small), 3);
  assert.deepEqual([...small], [0xff, 0xce, 0x4e]); // G.711 μ-law: 0 → 0xff; ±1000 differ only in sign
  const back = new Int16Array(8).fill(7);
  assert.equal(decodeInto(small, back), 3);
  assert.deepEqual([...back], [0, 988, -988, 7, 7, 7, 7, 7]);
});

test('μ-law and A-law round trip stays within half a quantisation step', () => {
  for (const [Enc, Dec, info] of [
    [MulawEncoder, MulawDecoder, CODECS.PCMU],
    [AlawEncoder, AlawDecoder, CODECS.PCMA],
  ] as const) {
    const enc = new Enc(info);
    const dec = new Dec(info);
    assert.equal(enc.info, info);
    const pcm = new Int16Array(160);
    for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(12000 * Math.sin((2 * Math.PI * 440 * i) / 8000));
    const bytes = new Uint8Array(160);
    const pcmOut = new Int16Array(160);
    assert.equal(enc.encodeInto(pcm, bytes), 160);
    assert.equal(dec.decodeInto(bytes, pcmOut), 160);
    for (let i = 0; i < 160; i++) {
      // |x| ≤ 12000 lies in segments whose step is at most 512 (16-bit units) in both laws.
      assert.ok(Math.abs(pcmOut[i]! - pcm[i]!) <= 256, `${info.name} sample ${i}: ${pcm[i]} → ${pcmOut[i]}`);
    }
  }
});

test('concealInto: silence of 160 samples before any frame, then PLC of the last frame length', () => {
  const dec = new MulawDecoder(CODECS.PCMU);
  const out = new Int16Array(400).fill(5);
  assert.equal(dec.concealInto(out), 160);
  assert.ok(out.subarray(0, 160).every((s) => s === 0));
  assert.equal(out[160], 5);
  assert.equal(dec.decodeInto(new Uint8Array(80).fill(0x90), out), 80);
  const level = out[0]!;
  assert.ok(level !== 0);
  out.fill(5);
  assert.equal(dec.concealInto(out), 80, 'a 10 ms frame is concealed by 10 ms');
  assert.ok(out.subarray(0, 80).every((s) => s === level), 'the first 10 ms of a loss repeat the signal unattenuated');
  assert.equal(out[80], 5);
});
