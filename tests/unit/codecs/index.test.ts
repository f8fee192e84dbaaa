import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CODECS,
  UnsupportedCodecError,
  UnsupportedRateError,
  bandOf,
  codecInfo,
  createDecoder,
  createEncoder,
  createResampler,
  implementedCodecs,
} from '../../../codecs/index.ts';

test('static info follows RFC 3551 (G.722 clock 8000 for 16 kHz audio) and RFC 7587 (opus/48000/2)', () => {
  assert.deepEqual(
    [CODECS.PCMU.payloadType, CODECS.PCMA.payloadType, CODECS.G722.payloadType],
    [0, 8, 9],
  );
  assert.equal(CODECS.G722.sampleRate, 16000);
  assert.equal(CODECS.G722.clockRate, 8000);
  assert.equal(CODECS.opus.clockRate, 48000);
  assert.equal(CODECS.opus.channels, 2);
});

test('codecInfo takes the payload type the SDP used', () => {
  assert.equal(codecInfo('PCMU'), CODECS.PCMU);
  const opus = codecInfo('opus', 96);
  assert.equal(opus.payloadType, 96);
  assert.equal(opus.sampleRate, 16000, 'opus runs at 16 kHz inside unless negotiated otherwise (no 48 kHz hop)');
  assert.equal(opus.clockRate, 48000);
  assert.equal(CODECS.opus.payloadType, 111, 'the shared table is not mutated');
});

test('every codec is implemented, wideband first; an unknown name throws UnsupportedCodecError', () => {
  assert.deepEqual(implementedCodecs(), ['opus', 'G722', 'PCMU', 'PCMA']);
  for (const name of implementedCodecs()) {
    const enc = createEncoder(CODECS[name]);
    const dec = createDecoder(CODECS[name]);
    assert.equal(enc.info.name, name);
    assert.equal(dec.info.name, name);
  }
  const bogus = { ...CODECS.PCMU, name: 'G729' as never };
  assert.throws(() => createEncoder(bogus), (e: unknown) => e instanceof UnsupportedCodecError && e.codec === 'G729');
  assert.throws(() => createDecoder(bogus), UnsupportedCodecError);
});

test('PCMU and PCMA encoders differ (the dispatch map is not crossed)', () => {
  const pcm = new Int16Array([1000]);
  const u = new Uint8Array(1);
  const a = new Uint8Array(1);
  createEncoder(CODECS.PCMU).encodeInto(pcm, u);
  createEncoder(CODECS.PCMA).encodeInto(pcm, a);
  assert.equal(u[0], 0xce);
  assert.equal(a[0], 0xfa);
});

test('bandOf: G.711 narrow, G.722 wide, opus by its negotiated rate', () => {
  assert.equal(bandOf(CODECS.PCMU), 'narrow');
  assert.equal(bandOf(CODECS.PCMA), 'narrow');
  assert.equal(bandOf(CODECS.G722), 'wide');
  assert.equal(bandOf(CODECS.opus), 'wide');
  assert.equal(bandOf({ ...CODECS.opus, sampleRate: 24000 }), 'super');
});

test('createResampler: passthrough for equal rates, typed error for unknown rates', () => {
  const p = createResampler(16000, 16000);
  assert.equal(p.delayMs, 0);
  assert.equal(p.describe(), 'Passthrough(16000)');
  const out = new Int16Array(3);
  assert.equal(p.process(new Int16Array([1, -2, 3]), out), 3);
  assert.deepEqual([...out], [1, -2, 3]);
  assert.equal(createResampler(8000, 16000).describe(), 'Resample(8000→16000)');
  assert.throws(() => createResampler(44100, 8000), UnsupportedRateError);
});
