/**
 * G.722 bit-exactness against ffmpeg's `g722` encoder and decoder, an implementation nobody here
 * wrote (design §5): speech, tones, sweeps, white noise, silence, clipped full-scale input; in both
 * directions, whole-file and 20 ms frame by frame (320 samples ↔ 160 octets, state carried).
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { codecInfo, createDecoder, createEncoder } from '../../../../codecs/index.ts';
import { G722DecoderCore } from '../../../../codecs/g722/decoder.ts';
import { G722EncoderCore } from '../../../../codecs/g722/encoder.ts';
import { ffmpegDecode, ffmpegEncode, generatedInputs, prng, speech16k, tempDir } from './ffmpeg-oracle.ts';

const tmp = tempDir();
after(() => tmp.cleanup());

function firstDiff(a: ArrayLike<number>, b: ArrayLike<number>): string {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return `index ${i}: ours ${a[i]}, ffmpeg ${b[i]}`;
  return 'none';
}

function assertSame(ours: ArrayLike<number>, ref: ArrayLike<number>, what: string): void {
  assert.ok(ref.length > 0, `${what}: ffmpeg produced nothing`);
  assert.equal(ours.length, ref.length, `${what}: length`);
  assert.equal(firstDiff(ours, ref), 'none', `${what}: first difference`);
}

function encodeWhole(pcm: Int16Array): Uint8Array {
  const out = new Uint8Array((pcm.length + 1) >> 1);
  return out.subarray(0, new G722EncoderCore().encode(pcm, out));
}

/** Through the Encoder interface, as the RTP sender calls it: one 20 ms frame at a time. */
function encodeFramed(pcm: Int16Array): Uint8Array {
  const enc = createEncoder(codecInfo('G722'));
  const out = new Uint8Array((pcm.length + 1) >> 1);
  const buf = new Uint8Array(160);
  let at = 0;
  for (let i = 0; i < pcm.length; i += 320) {
    const n = enc.encodeInto(pcm.subarray(i, i + 320), buf);
    out.set(buf.subarray(0, n), at);
    at += n;
  }
  return out.subarray(0, at);
}

function decodeWhole(g722: Uint8Array): Int16Array {
  const out = new Int16Array(g722.length * 2);
  return out.subarray(0, new G722DecoderCore().decode(g722, out));
}

function decodeFramed(g722: Uint8Array): Int16Array {
  const dec = createDecoder(codecInfo('G722'));
  const out = new Int16Array(g722.length * 2);
  const buf = new Int16Array(320 * 6);
  let at = 0;
  for (let i = 0; i < g722.length; i += 160) {
    const n = dec.decodeInto(g722.subarray(i, i + 160), buf);
    out.set(buf.subarray(0, n), at);
    at += n;
  }
  return out.subarray(0, at);
}

const inputs: Record<string, Int16Array> = {
  speech: speech16k('Thank you for calling. Press one for sales, two for support, or nine to hang up.', tmp),
  ...generatedInputs(),
};

describe('G.722 encoder is bit-exact with ffmpeg', () => {
  for (const [name, pcm] of Object.entries(inputs)) {
    test(name, () => {
      const ref = ffmpegEncode(pcm, tmp);
      assertSame(encodeWhole(pcm), ref, `${name} whole-file`);
      assertSame(encodeFramed(pcm), ref, `${name} 20 ms frames`);
    });
  }

  test('odd sample count: the last sample is paired with itself, as ffmpeg does', () => {
    const pcm = inputs.speech!.subarray(0, 16001);
    assertSame(encodeWhole(pcm), ffmpegEncode(pcm, tmp), 'odd length');
  });
});

describe('G.722 decoder is bit-exact with ffmpeg', () => {
  for (const [name, pcm] of Object.entries(inputs)) {
    test(name, () => {
      const g722 = ffmpegEncode(pcm, tmp);
      const ref = ffmpegDecode(g722, tmp);
      assertSame(decodeWhole(g722), ref, `${name} whole-file`);
      assertSame(decodeFramed(g722), ref, `${name} 20 ms frames`);
    });
  }

  test('arbitrary code words (every octet value, random order)', () => {
    const rnd = prng(9);
    const g722 = new Uint8Array(16000);
    for (let i = 0; i < g722.length; i++) g722[i] = i < 256 ? i : Math.floor(rnd() * 256);
    assertSame(decodeFramed(g722), ffmpegDecode(g722, tmp), 'random octets');
  });
});
