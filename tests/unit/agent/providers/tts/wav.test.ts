import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWav, WavFormatError } from '../../../../../agent/providers/tts/wav.ts';

function chunk(id: string, body: Uint8Array, statedSize = body.length): Uint8Array {
  const out = new Uint8Array(8 + body.length + (body.length & 1));
  out.set(Buffer.from(id, 'latin1'));
  new DataView(out.buffer).setUint32(4, statedSize, true);
  out.set(body, 8);
  return out;
}
function fmt(rate: number, format = 1, channels = 1, bits = 16): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setUint16(0, format, true);
  v.setUint16(2, channels, true);
  v.setUint32(4, rate, true);
  v.setUint32(8, rate * channels * (bits / 8), true);
  v.setUint16(12, channels * (bits / 8), true);
  v.setUint16(14, bits, true);
  return b;
}
function samples(...v: number[]): Uint8Array {
  const b = new Uint8Array(v.length * 2);
  v.forEach((s, i) => new DataView(b.buffer).setInt16(i * 2, s, true));
  return b;
}
function wav(...chunks: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(chunks);
  const head = Buffer.alloc(12);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(0x7ffff024, 4); // bogus, as espeak-ng writes to a pipe
  head.write('WAVE', 8, 'latin1');
  return Buffer.concat([head, body]);
}

test('reads PCM16 mono with an honest data size', () => {
  const r = parseWav(wav(chunk('fmt ', fmt(22050)), chunk('data', samples(1, -2, 32767, -32768))));
  assert.equal(r.sampleRate, 22050);
  assert.deepEqual([...r.pcm], [1, -2, 32767, -32768]);
});

test('a bogus (streamed) or zero data size means "the rest of the stream"', () => {
  for (const stated of [0x7ffff000, 0]) {
    const r = parseWav(wav(chunk('fmt ', fmt(8000)), chunk('data', samples(5, 6, 7), stated)));
    assert.deepEqual([...r.pcm], [5, 6, 7], `stated ${stated}`);
  }
});

test('a data size smaller than the stream is honoured; a trailing odd byte is dropped', () => {
  const r = parseWav(wav(chunk('fmt ', fmt(8000)), chunk('data', samples(5, 6, 7), 4)));
  assert.deepEqual([...r.pcm], [5, 6]);
  const odd = Buffer.concat([wav(chunk('fmt ', fmt(8000)), chunk('data', samples(9), 0xffffffff)), Buffer.from([1])]);
  assert.deepEqual([...parseWav(odd).pcm], [9]);
});

test('other chunks (odd-sized, padded) are skipped; the view may start at any byte offset', () => {
  const file = wav(chunk('fmt ', fmt(16000)), chunk('LIST', new Uint8Array([1, 2, 3])), chunk('data', samples(-1, 1)));
  const shifted = new Uint8Array(file.length + 1);
  shifted.set(file, 1);
  const r = parseWav(shifted.subarray(1));
  assert.equal(r.sampleRate, 16000);
  assert.deepEqual([...r.pcm], [-1, 1]);
});

test('refuses what it cannot read', () => {
  assert.throws(() => parseWav(new Uint8Array(4)), WavFormatError);
  assert.throws(() => parseWav(Buffer.from('RIFF0000AVI LIST', 'latin1')), WavFormatError);
  assert.throws(() => parseWav(wav(chunk('fmt ', fmt(8000, 3, 1, 32)), chunk('data', samples(1)))), /unsupported/);
  assert.throws(() => parseWav(wav(chunk('fmt ', fmt(8000, 1, 2)), chunk('data', samples(1)))), /unsupported/);
  assert.throws(() => parseWav(wav(chunk('data', samples(1)), chunk('fmt ', fmt(8000)))), /before fmt/);
  assert.throws(() => parseWav(wav(chunk('fmt ', fmt(8000)))), /no data/);
});
