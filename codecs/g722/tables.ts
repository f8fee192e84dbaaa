/**
 * Constant tables of ITU-T G.722 (11/88 and later), in the integer form used by the reference
 * implementation. The names follow the recommendation's block names where it has them.
 */

/** Inverse log-2 table for the scale factor, ITU-T G.722 §3.5 (block ILOGB/ILOGL: ILB table). */
export const INV_LOG2 = Int32Array.of(
  2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834,
  2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371, 3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008,
);

/** Higher sub-band: log-scale-factor increments WH, by the 1-bit magnitude (Table 13). */
export const HIGH_LOG_STEP = Int32Array.of(798, -214);
/** Higher sub-band inverse quantizer QQ2 × sign, indexed by the 2-bit code IH (Table 13). */
export const HIGH_INV_QUANT = Int32Array.of(-926, -202, 926, 202);

/** Lower sub-band: log-scale-factor increments WL by the 4-bit code (WL[RIL4[i]], Table 12). */
export const LOW_LOG_STEP = Int32Array.of(-60, 3042, 1198, 538, 334, 172, 58, -30, 3042, 1198, 538, 334, 172, 58, -30, -60);

/** Lower sub-band 4-bit inverse quantizer QQ4 × sign, used for the predictor update (Table 12). */
export const LOW_INV_QUANT4 = Int32Array.of(0, -2557, -1612, -1121, -786, -530, -323, -150, 2557, 1612, 1121, 786, 530, 323, 150, 0);

/** Lower sub-band 6-bit inverse quantizer QQ6 × sign, indexed by the 6-bit code (Table 14), 64 kbit/s. */
export const LOW_INV_QUANT6 = Int32Array.of(
  -17, -17, -17, -17, -3101, -2738, -2376, -2088, -1873, -1689, -1535, -1399, -1279, -1170, -1072, -982,
  -899, -822, -750, -682, -618, -558, -501, -447, -396, -347, -300, -254, -211, -170, -130, -91,
  3101, 2738, 2376, 2088, 1873, 1689, 1535, 1399, 1279, 1170, 1072, 982, 899, 822, 750, 682,
  618, 558, 501, 447, 396, 347, 300, 254, 211, 170, 130, 91, 54, 17, -54, -17,
);

/** Decision levels Q6 of the 6-bit lower sub-band quantizer (Table 9), 29 used. */
export const LOW_QUANT = Int32Array.of(
  35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650, 714, 786,
  858, 940, 1023, 1121, 1219, 1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919,
);

/**
 * QMF coefficients H (Table 11): the 24-tap filter is symmetric, so the even taps are these 12 and
 * the odd taps the same 12 reversed.
 */
export const QMF = Int32Array.of(3, -11, 12, 32, -210, 951, 3876, -805, 362, -156, 53, -11);
