/**
 * G.711 bit-exactness against sox, an implementation nobody here wrote (design §5): every 16-bit
 * input, a sweep and real speech must encode to the same bytes; every code word and the speech must
 * decode to the same samples.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import * as alaw from '../../../../codecs/g711/alaw.ts';
import * as mulaw from '../../../../codecs/g711/mulaw.ts';
import { soxDecode, soxEncode, soxSweep, speech, tempDir, writeBytes, writePcm } from './sox-oracle.ts';

const tmp = tempDir();
after(() => tmp.cleanup());

const LAWS = { ulaw: mulaw, alaw } as const;

function firstDiff(a: ArrayLike<number>, b: ArrayLike<number>): string {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `index ${i}: ours ${a[i]}, sox ${b[i]}`;
  }
  return 'none';
}

function assertSame(ours: ArrayLike<number>, sox: ArrayLike<number>, what: string): void {
  assert.equal(ours.length, sox.length, `${what}: length`);
  assert.ok(ours.length > 0, `${what}: empty`);
  const d = firstDiff(ours, sox);
  assert.equal(d, 'none', `${what}: first difference at ${d}`);
}

const allInputs = new Int16Array(65536).map((_, i) => i - 32768);
const allCodes = new Uint8Array(256).map((_, i) => i);

let speechPcm: Int16Array | undefined;
function speechSamples(): Int16Array {
  speechPcm ??= speech(
    tmp.path('speech.wav'),
    tmp.path('speech.raw'),
    'Thank you for calling. Please say the name of the person you want, or press one for sales.',
  );
  return speechPcm;
}

for (const [law, codec] of Object.entries(LAWS) as [keyof typeof LAWS, typeof mulaw][]) {
  describe(`G.711 ${law} vs sox`, () => {
    function encodeBoth(pcm: Int16Array, name: string): { ours: Uint8Array; sox: Uint8Array } {
      const pcmFile = tmp.path(`${law}-${name}.raw`);
      writePcm(pcmFile, pcm);
      const ours = new Uint8Array(pcm.length);
      assert.equal(codec.encodeInto(pcm, ours), pcm.length);
      return { ours, sox: soxEncode(law, pcmFile, tmp.path(`${law}-${name}.g711`)) };
    }

    test('encodes all 65536 16-bit inputs bit-exactly', () => {
      const { ours, sox } = encodeBoth(allInputs, 'all');
      assertSame(ours, sox, 'all inputs');
    });

    test('encodes a 100–3900 Hz sweep bit-exactly', () => {
      const sweep = soxSweep(tmp.path(`${law}-sweep-src.raw`));
      assert.equal(sweep.length, 16000);
      const { ours, sox } = encodeBoth(sweep, 'sweep');
      assertSame(ours, sox, 'sweep');
    });

    test('encodes espeak-ng speech bit-exactly and decodes it sample for sample', () => {
      const pcm = speechSamples();
      assert.ok(pcm.length > 8000, 'speech should last over a second');
      const { ours, sox } = encodeBoth(pcm, 'speech');
      assertSame(ours, sox, 'speech encode');
      const decoded = new Int16Array(ours.length);
      codec.decodeInto(ours, decoded);
      const lawFile = tmp.path(`${law}-speech-ours.g711`);
      writeBytes(lawFile, ours);
      assertSame(decoded, soxDecode(law, lawFile, tmp.path(`${law}-speech-dec.raw`)), 'speech decode');
    });

    test('decodes all 256 code words exactly like sox', () => {
      const lawFile = tmp.path(`${law}-codes.g711`);
      writeBytes(lawFile, allCodes);
      const ours = new Int16Array(256);
      assert.equal(codec.decodeInto(allCodes, ours), 256);
      assertSame(ours, soxDecode(law, lawFile, tmp.path(`${law}-codes.raw`)), 'code words');
    });
  });
}
