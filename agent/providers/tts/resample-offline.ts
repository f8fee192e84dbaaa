/**
 * Whole-buffer, band-limited rate conversion for prompts synthesised once and cached, at any pair of
 * rates (espeak-ng speaks at 22050 Hz; legs run at 8000/16000/24000/48000). The real-time path uses
 * the stateful resamplers of codecs/; this one favours quality and simplicity over speed.
 *
 * Each output sample n sits at input time t = n·from/to and is the sum over nearby input samples k
 * of x[k]·h(t − k), h being a Blackman-windowed sinc low-pass whose cutoff is 90 % of the lower of
 * the two Nyquist frequencies — so downsampling does not fold speech energy above 4 kHz back into
 * the band (aliasing), and upsampling does not leave images.
 */
const ZERO_CROSSINGS = 16;
const CUTOFF = 0.9;

export function resampleOffline(input: Int16Array, fromRate: number, toRate: number): Int16Array {
  if (!(fromRate > 0 && toRate > 0)) throw new RangeError(`bad rates ${fromRate}→${toRate}`);
  if (fromRate === toRate) return input.slice();
  const outLength = Math.floor((input.length * toRate) / fromRate);
  const out = new Int16Array(outLength);
  // Cutoff in cycles per input sample.
  const fc = (CUTOFF * Math.min(fromRate, toRate)) / 2 / fromRate;
  const half = ZERO_CROSSINGS / (2 * fc); // kernel half-width in input samples
  const step = fromRate / toRate;
  const table = kernelTable(fc, half);
  for (let n = 0; n < outLength; n++) {
    const t = n * step;
    const k0 = Math.max(0, Math.ceil(t - half));
    const k1 = Math.min(input.length - 1, Math.floor(t + half));
    let acc = 0;
    for (let k = k0; k <= k1; k++) {
      // The kernel is even: look up |t − k| in the table, interpolating between entries.
      const pos = Math.abs(t - k) * TABLE_RES;
      const i = pos | 0;
      const frac = pos - i;
      acc += input[k]! * (table[i]! + (table[i + 1]! - table[i]!) * frac);
    }
    out[n] = acc > 32767 ? 32767 : acc < -32768 ? -32768 : Math.round(acc);
  }
  return out;
}

/** Entries per input sample: linear interpolation between them errs by well under 16-bit LSB. */
const TABLE_RES = 512;

function kernelTable(fc: number, half: number): Float64Array {
  const table = new Float64Array(Math.ceil(half * TABLE_RES) + 2);
  for (let i = 0; i < table.length; i++) table[i] = kernel(i / TABLE_RES, fc, half);
  return table;
}

function kernel(x: number, fc: number, half: number): number {
  if (Math.abs(x) >= half) return 0;
  const sinc = x === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * x) / (Math.PI * x);
  const w = 0.42 + 0.5 * Math.cos((Math.PI * x) / half) + 0.08 * Math.cos((2 * Math.PI * x) / half);
  return sinc * w;
}
