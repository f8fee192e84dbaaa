/**
 * The G.722 64 kbit/s sub-band ADPCM loop, one iteration per pair of 16 kHz samples ↔ one octet,
 * shared by the encoder (ITU-T G.722 §3) and the decoder (§4): both run the same backward-adaptive
 * predictor and scale-factor update on the same code words, which is what keeps them in lock step.
 *
 * Written for speed (issue 3: at least half of ffmpeg's C speed) and bit-exact with ffmpeg's g722.c:
 * - all state lives in one Int32Array (state.ts), loaded into locals once per packet and stored
 *   back at the end; the loop makes no calls and allocates nothing;
 * - both sub-bands' predictor updates are written out (no helper call per sample: V8 does not
 *   inline a function this large), and the six zero taps are unrolled;
 * - sign-dependent choices are arithmetic, not branches (a speech signal's signs are a coin toss
 *   for the branch predictor): `x >>> 31` is 1 for a negative int32, `x >> 31` is −1;
 * - every product fits in 31 bits (|d| ≤ 32768, |B| < 32768, QMF Σ|h| = 6482), so `Math.imul`
 *   gives C's int arithmetic, and `>>` on a negative value is an arithmetic shift in both.
 */
import { AL1, AL2, BL, DETL, DLT, HIGH, LOW, NBL, PLT1, PLT2, QMF_KEEP, QMF_POS, QMF_BASE, QMF_SIZE, RLT1, SE, SZ } from './state.ts';
import { HIGH_INV_QUANT, HIGH_LOG_STEP, INV_LOG2, LOW_INV_QUANT4, LOW_INV_QUANT6, LOW_LOG_STEP, LOW_QUANT, QMF } from './tables.ts';

const [C0, C1, C2, C3, C4, C5, C6, C7, C8, C9, C10, C11] = QMF as unknown as [number, number, number, number, number, number, number, number, number, number, number, number];
const QMF_END = QMF_BASE + QMF_SIZE;

/**
 * §3.3 QUANTL without the search: `limit > LOW_QUANT[i]·DETL` ⇔ `LOW_QUANT[i] ≤ ⌊(limit−1)/DETL⌋`,
 * so the interval index is the count of decision levels ≤ that quotient (29 above the last one).
 */
const LEVELS_BELOW = (() => {
  const last = LOW_QUANT[LOW_QUANT.length - 1]!;
  const t = new Uint8Array(last + 1);
  let c = 0;
  for (let m = 0; m <= last; m++) {
    while (c < LOW_QUANT.length && LOW_QUANT[c]! <= m) c++;
    t[m] = c;
  }
  return t;
})();
const LAST_LEVEL = LOW_QUANT[LOW_QUANT.length - 1]!;
/** The 6-bit code IL for interval `i` (0..29), positive differences at 0..31, negative at 32..63 (Table 9). */
const LOW_CODE = (() => {
  const t = new Uint8Array(64);
  for (let i = 0; i < 30; i++) {
    t[i] = 61 - i;
    t[32 + i] = (i < 2 ? 63 : 33) - i;
  }
  return t;
})();

/**
 * Runs `pairs` octets of G.722. Encoding reads `pcm` (an odd trailing sample is paired with itself,
 * as ffmpeg does) and writes `bytes`; decoding reads `bytes` and writes `pairs * 2` samples to `pcm`.
 * The caller bounds `pairs` by both buffers.
 */
export function runAdpcm(s: Int32Array, encoding: boolean, pcm: Int16Array, bytes: Uint8Array, pairs: number): void {
  const iq6 = LOW_INV_QUANT6, iq4 = LOW_INV_QUANT4, lstep = LOW_LOG_STEP, hiq = HIGH_INV_QUANT, hstep = HIGH_LOG_STEP, ilb = INV_LOG2;
  const below = LEVELS_BELOW, lcode = LOW_CODE;
  const pcmLen = pcm.length;
  let lse = s[LOW + SE]!, lsz = s[LOW + SZ]!, lp1 = s[LOW + PLT1]!, lp2 = s[LOW + PLT2]!, lr1 = s[LOW + RLT1]!;
  let la1 = s[LOW + AL1]!, la2 = s[LOW + AL2]!, lnb = s[LOW + NBL]!, ldet = s[LOW + DETL]!;
  let lb1 = s[LOW + BL]!, lb2 = s[LOW + BL + 1]!, lb3 = s[LOW + BL + 2]!, lb4 = s[LOW + BL + 3]!, lb5 = s[LOW + BL + 4]!, lb6 = s[LOW + BL + 5]!;
  let ld1 = s[LOW + DLT]!, ld2 = s[LOW + DLT + 1]!, ld3 = s[LOW + DLT + 2]!, ld4 = s[LOW + DLT + 3]!, ld5 = s[LOW + DLT + 4]!, ld6 = s[LOW + DLT + 5]!;
  let hse = s[HIGH + SE]!, hsz = s[HIGH + SZ]!, hp1 = s[HIGH + PLT1]!, hp2 = s[HIGH + PLT2]!, hr1 = s[HIGH + RLT1]!;
  let ha1 = s[HIGH + AL1]!, ha2 = s[HIGH + AL2]!, hnb = s[HIGH + NBL]!, hdet = s[HIGH + DETL]!;
  let hb1 = s[HIGH + BL]!, hb2 = s[HIGH + BL + 1]!, hb3 = s[HIGH + BL + 2]!, hb4 = s[HIGH + BL + 3]!, hb5 = s[HIGH + BL + 4]!, hb6 = s[HIGH + BL + 5]!;
  let hd1 = s[HIGH + DLT]!, hd2 = s[HIGH + DLT + 1]!, hd3 = s[HIGH + DLT + 2]!, hd4 = s[HIGH + DLT + 3]!, hd5 = s[HIGH + DLT + 4]!, hd6 = s[HIGH + DLT + 5]!;
  let p = s[QMF_POS]!;

  for (let j = 0; j < pairs; j++) {
    let ihigh: number;
    let ilow: number;
    let rlow = 0;
    let rhigh = 0;
    if (encoding) {
      // §3.1 transmit QMF: the pair enters the delay line, the 24-tap filter splits it.
      const x0 = pcm[2 * j]!;
      s[p] = x0;
      s[p + 1] = 2 * j + 1 < pcmLen ? pcm[2 * j + 1]! : x0;
      p += 2;
      const b = p - 24;
      const even =
        Math.imul(s[b]!, C0) + Math.imul(s[b + 2]!, C1) + Math.imul(s[b + 4]!, C2) + Math.imul(s[b + 6]!, C3) + Math.imul(s[b + 8]!, C4) + Math.imul(s[b + 10]!, C5) +
        Math.imul(s[b + 12]!, C6) + Math.imul(s[b + 14]!, C7) + Math.imul(s[b + 16]!, C8) + Math.imul(s[b + 18]!, C9) + Math.imul(s[b + 20]!, C10) + Math.imul(s[b + 22]!, C11);
      const odd =
        Math.imul(s[b + 1]!, C11) + Math.imul(s[b + 3]!, C10) + Math.imul(s[b + 5]!, C9) + Math.imul(s[b + 7]!, C8) + Math.imul(s[b + 9]!, C7) + Math.imul(s[b + 11]!, C6) +
        Math.imul(s[b + 13]!, C5) + Math.imul(s[b + 15]!, C4) + Math.imul(s[b + 17]!, C3) + Math.imul(s[b + 19]!, C2) + Math.imul(s[b + 21]!, C1) + Math.imul(s[b + 23]!, C0);
      if (p >= QMF_END) {
        s.copyWithin(QMF_BASE, p - QMF_KEEP, p);
        p = QMF_BASE + QMF_KEEP;
      }
      // §3.4 QUANTH: 2 bits, sign and whether |EH| is below 141/256 of DETH (ffmpeg's `diff ^ diff>>31`).
      let eh = ((odd - even) >> 14) - hse;
      eh = eh < -32768 ? -32768 : eh > 32767 ? 32767 : eh;
      ihigh = (((eh ^ (eh >> 31)) - ((141 * hdet) >> 8)) >>> 31) + 2 - ((eh >>> 31) << 1);
      // §3.3 QUANTL: 6 bits (see LEVELS_BELOW).
      let el = ((odd + even) >> 14) - lse;
      el = el < -32768 ? -32768 : el > 32767 ? 32767 : el;
      const m = ((((el ^ (el >> 31)) + 1) << 10) - 1) / ldet | 0;
      ilow = lcode[((el >>> 31) << 5) | (m >= LAST_LEVEL ? 29 : below[m]!)]!;
      bytes[j] = (ihigh << 6) | ilow;
    } else {
      // §4.2 demultiplexer, §4.3 inverse quantizers (the lower band with all 6 bits).
      const code = bytes[j]!;
      ihigh = code >> 6;
      ilow = code & 63;
      rlow = (Math.imul(ldet, iq6[ilow]!) >> 10) + lse;
      rlow = rlow < -16384 ? -16384 : rlow > 16383 ? 16383 : rlow;
    }

    // Lower band, §3.5–3.6 with the 4-bit truncated code (the predictor never sees the 2 extra bits).
    {
      const il4 = ilow >> 2;
      const d = Math.imul(ldet, iq4[il4]!) >> 10;
      // PARREC sign, then UPPOL2 / UPPOL1 with ffmpeg's sign products sg0, sg1 ∈ {−1, 1}.
      const part = (lsz + d) >>> 31;
      const sg0 = ((part ^ lp1) << 1) - 1;
      const sg1 = 1 - ((part ^ lp2) << 1);
      lp2 = lp1;
      lp1 = part;
      const a1c = la1 < -8191 ? -8191 : la1 > 8191 ? 8191 : la1;
      let a2 = (Math.imul(sg0, a1c) >> 5) + (sg1 << 7) + ((la2 * 127) >> 7);
      a2 = a2 < -12288 ? -12288 : a2 > 12288 ? 12288 : a2;
      const lim = 15360 - a2;
      const a1 = Math.imul(-192, sg0) + ((la1 * 255) >> 8);
      la1 = a1 < -lim ? -lim : a1 > lim ? lim : a1;
      la2 = a2;
      // UPZERO: leak, then ±128 by the sign agreement of d with each delayed difference, only when d ≠ 0.
      const nz = (d | -d) >> 31;
      const ds = d >> 31;
      lb1 = ((lb1 * 255) >> 8) + ((128 - (((ld1 >> 31) ^ ds) & 256)) & nz);
      lb2 = ((lb2 * 255) >> 8) + ((128 - (((ld2 >> 31) ^ ds) & 256)) & nz);
      lb3 = ((lb3 * 255) >> 8) + ((128 - (((ld3 >> 31) ^ ds) & 256)) & nz);
      lb4 = ((lb4 * 255) >> 8) + ((128 - (((ld4 >> 31) ^ ds) & 256)) & nz);
      lb5 = ((lb5 * 255) >> 8) + ((128 - (((ld5 >> 31) ^ ds) & 256)) & nz);
      lb6 = ((lb6 * 255) >> 8) + ((128 - (((ld6 >> 31) ^ ds) & 256)) & nz);
      ld6 = ld5;
      ld5 = ld4;
      ld4 = ld3;
      ld3 = ld2;
      ld2 = ld1;
      ld1 = d * 2;
      ld1 = ld1 < -32768 ? -32768 : ld1 > 32767 ? 32767 : ld1;
      // FILTEZ, FILTEP, PREDIC.
      lsz = (Math.imul(lb6, ld6) >> 15) + (Math.imul(lb5, ld5) >> 15) + (Math.imul(lb4, ld4) >> 15) + (Math.imul(lb3, ld3) >> 15) + (Math.imul(lb2, ld2) >> 15) + (Math.imul(lb1, ld1) >> 15);
      let r = (lse + d) * 2;
      r = r < -32768 ? -32768 : r > 32767 ? 32767 : r;
      const se = lsz + (Math.imul(la1, r) >> 15) + (Math.imul(la2, lr1) >> 15);
      lse = se < -32768 ? -32768 : se > 32767 ? 32767 : se;
      lr1 = r;
      // LOGSCL, SCALEL. The shift wd >> 11 is in −8..1 (−10..1 for the higher band), so shifting the
      // table value up by 10 and down by 10 − shift is C's `shift < 0 ? w >> −shift : w << shift`,
      // without a branch.
      const nb = ((lnb * 127) >> 7) + lstep[il4]!;
      lnb = nb < 0 ? 0 : nb > 18432 ? 18432 : nb;
      const wd = lnb - (8 << 11);
      ldet = (ilb[(wd >> 6) & 31]! << 10) >> (10 - (wd >> 11));
    }

    // Higher band, the same blocks on the 2-bit code.
    {
      const d = Math.imul(hdet, hiq[ihigh]!) >> 10;
      if (!encoding) {
        rhigh = d + hse;
        rhigh = rhigh < -16384 ? -16384 : rhigh > 16383 ? 16383 : rhigh;
      }
      const part = (hsz + d) >>> 31;
      const sg0 = ((part ^ hp1) << 1) - 1;
      const sg1 = 1 - ((part ^ hp2) << 1);
      hp2 = hp1;
      hp1 = part;
      const a1c = ha1 < -8191 ? -8191 : ha1 > 8191 ? 8191 : ha1;
      let a2 = (Math.imul(sg0, a1c) >> 5) + (sg1 << 7) + ((ha2 * 127) >> 7);
      a2 = a2 < -12288 ? -12288 : a2 > 12288 ? 12288 : a2;
      const lim = 15360 - a2;
      const a1 = Math.imul(-192, sg0) + ((ha1 * 255) >> 8);
      ha1 = a1 < -lim ? -lim : a1 > lim ? lim : a1;
      ha2 = a2;
      const nz = (d | -d) >> 31;
      const ds = d >> 31;
      hb1 = ((hb1 * 255) >> 8) + ((128 - (((hd1 >> 31) ^ ds) & 256)) & nz);
      hb2 = ((hb2 * 255) >> 8) + ((128 - (((hd2 >> 31) ^ ds) & 256)) & nz);
      hb3 = ((hb3 * 255) >> 8) + ((128 - (((hd3 >> 31) ^ ds) & 256)) & nz);
      hb4 = ((hb4 * 255) >> 8) + ((128 - (((hd4 >> 31) ^ ds) & 256)) & nz);
      hb5 = ((hb5 * 255) >> 8) + ((128 - (((hd5 >> 31) ^ ds) & 256)) & nz);
      hb6 = ((hb6 * 255) >> 8) + ((128 - (((hd6 >> 31) ^ ds) & 256)) & nz);
      hd6 = hd5;
      hd5 = hd4;
      hd4 = hd3;
      hd3 = hd2;
      hd2 = hd1;
      hd1 = d * 2;
      hd1 = hd1 < -32768 ? -32768 : hd1 > 32767 ? 32767 : hd1;
      hsz = (Math.imul(hb6, hd6) >> 15) + (Math.imul(hb5, hd5) >> 15) + (Math.imul(hb4, hd4) >> 15) + (Math.imul(hb3, hd3) >> 15) + (Math.imul(hb2, hd2) >> 15) + (Math.imul(hb1, hd1) >> 15);
      let r = (hse + d) * 2;
      r = r < -32768 ? -32768 : r > 32767 ? 32767 : r;
      const se = hsz + (Math.imul(ha1, r) >> 15) + (Math.imul(ha2, hr1) >> 15);
      hse = se < -32768 ? -32768 : se > 32767 ? 32767 : se;
      hr1 = r;
      // LOGSCH, SCALEH.
      const nb = ((hnb * 127) >> 7) + hstep[ihigh & 1]!;
      hnb = nb < 0 ? 0 : nb > 22528 ? 22528 : nb;
      const wd = hnb - (10 << 11);
      hdet = (ilb[(wd >> 6) & 31]! << 10) >> (10 - (wd >> 11));
    }

    if (!encoding) {
      // §4.4 receive QMF: sum and difference of the sub-bands enter the delay line, two samples leave.
      s[p] = rlow + rhigh;
      s[p + 1] = rlow - rhigh;
      p += 2;
      const b = p - 24;
      const even =
        Math.imul(s[b]!, C0) + Math.imul(s[b + 2]!, C1) + Math.imul(s[b + 4]!, C2) + Math.imul(s[b + 6]!, C3) + Math.imul(s[b + 8]!, C4) + Math.imul(s[b + 10]!, C5) +
        Math.imul(s[b + 12]!, C6) + Math.imul(s[b + 14]!, C7) + Math.imul(s[b + 16]!, C8) + Math.imul(s[b + 18]!, C9) + Math.imul(s[b + 20]!, C10) + Math.imul(s[b + 22]!, C11);
      const odd =
        Math.imul(s[b + 1]!, C11) + Math.imul(s[b + 3]!, C10) + Math.imul(s[b + 5]!, C9) + Math.imul(s[b + 7]!, C8) + Math.imul(s[b + 9]!, C7) + Math.imul(s[b + 11]!, C6) +
        Math.imul(s[b + 13]!, C5) + Math.imul(s[b + 15]!, C4) + Math.imul(s[b + 17]!, C3) + Math.imul(s[b + 19]!, C2) + Math.imul(s[b + 21]!, C1) + Math.imul(s[b + 23]!, C0);
      if (p >= QMF_END) {
        s.copyWithin(QMF_BASE, p - QMF_KEEP, p);
        p = QMF_BASE + QMF_KEEP;
      }
      const o = odd >> 11;
      const e = even >> 11;
      pcm[2 * j] = o < -32768 ? -32768 : o > 32767 ? 32767 : o;
      pcm[2 * j + 1] = e < -32768 ? -32768 : e > 32767 ? 32767 : e;
    }
  }

  s[LOW + SE] = lse; s[LOW + SZ] = lsz; s[LOW + PLT1] = lp1; s[LOW + PLT2] = lp2; s[LOW + RLT1] = lr1;
  s[LOW + AL1] = la1; s[LOW + AL2] = la2; s[LOW + NBL] = lnb; s[LOW + DETL] = ldet;
  s[LOW + BL] = lb1; s[LOW + BL + 1] = lb2; s[LOW + BL + 2] = lb3; s[LOW + BL + 3] = lb4; s[LOW + BL + 4] = lb5; s[LOW + BL + 5] = lb6;
  s[LOW + DLT] = ld1; s[LOW + DLT + 1] = ld2; s[LOW + DLT + 2] = ld3; s[LOW + DLT + 3] = ld4; s[LOW + DLT + 4] = ld5; s[LOW + DLT + 5] = ld6;
  s[HIGH + SE] = hse; s[HIGH + SZ] = hsz; s[HIGH + PLT1] = hp1; s[HIGH + PLT2] = hp2; s[HIGH + RLT1] = hr1;
  s[HIGH + AL1] = ha1; s[HIGH + AL2] = ha2; s[HIGH + NBL] = hnb; s[HIGH + DETL] = hdet;
  s[HIGH + BL] = hb1; s[HIGH + BL + 1] = hb2; s[HIGH + BL + 2] = hb3; s[HIGH + BL + 3] = hb4; s[HIGH + BL + 4] = hb5; s[HIGH + BL + 5] = hb6;
  s[HIGH + DLT] = hd1; s[HIGH + DLT + 1] = hd2; s[HIGH + DLT + 2] = hd3; s[HIGH + DLT + 3] = hd4; s[HIGH + DLT + 4] = hd5; s[HIGH + DLT + 5] = hd6;
  s[QMF_POS] = p;
}
