/**
 * The whole state of one G.722 encoder or decoder in one Int32Array, so the hot loop (adpcm.ts)
 * can load it into locals once per packet and store it back at the end: two sub-band ADPCM states
 * (ITU-T G.722 §3.5–3.6, named after the recommendation's variables) and the QMF delay line (§3.1, §4.4).
 */

/** Per sub-band, at offset LOW or HIGH. */
export const SE = 0; // predictor output (signal estimate) SL/SH
export const SZ = 1; // zero-section output SZL/SZH
export const PLT1 = 2; // sign of the previous partially reconstructed signal (1 = negative)
export const PLT2 = 3; // ... and of the one before
export const RLT1 = 4; // previous reconstructed signal (×2, clipped)
export const AL1 = 5; // pole coefficients A1, A2
export const AL2 = 6;
export const NBL = 7; // log scale factor NBL/NBH
export const DETL = 8; // linear scale factor DETL/DETH (ffmpeg's units: the ITU's / 4)
export const BL = 9; // zero coefficients B1..B6 at BL..BL+5
export const DLT = 15; // delayed quantized differences D1..D6 at DLT..DLT+5
export const BAND_SIZE = 21;

export const LOW = 0;
export const HIGH = 24;
/** QMF delay line: a linear buffer shifted back every ~500 pairs (ffmpeg's layout). */
/** Absolute index in the state array of the next free slot of the delay line. */
export const QMF_POS = 48;
export const QMF_BASE = 64;
export const QMF_SIZE = 1024;
/** Values the filter needs before the next pair: kept when the buffer is shifted back. */
export const QMF_KEEP = 22;

/** §3.1 reset: everything zero but DETL = 32 and DETH = 8 in the ITU's units (8 and 2 here, ×1/4). */
export function initialState(): Int32Array {
  const s = new Int32Array(QMF_BASE + QMF_SIZE);
  s[LOW + DETL] = 8;
  s[HIGH + DETL] = 2;
  s[QMF_POS] = QMF_BASE + QMF_KEEP;
  return s;
}
