/**
 * The 24-tap quadrature mirror filter pair of ITU-T G.722 §3.1 (transmit, splits 16 kHz into two
 * 8 kHz sub-bands) and §4.4 (receive, merges them), over a linear history buffer that is shifted
 * back only every ~500 sample pairs (ffmpeg's layout: cheaper than a ring buffer's index masking).
 *
 * Both directions compute, over the last 24 history values h[0..23] (oldest first):
 *   odd  = Σ h[2i+1] · QMF[11−i]      even = Σ h[2i] · QMF[i]
 * The history is carried across calls: a stream split into 20 ms frames is filtered exactly as
 * the whole stream would be, which is what keeps frame boundaries free of clicks.
 */
import { QMF } from './tables.ts';

const SIZE = 1024;
/** Values kept when the buffer is shifted back: the filter needs the 22 before the next pair. */
const KEEP = 22;

const [C0, C1, C2, C3, C4, C5, C6, C7, C8, C9, C10, C11] = QMF as unknown as [number, number, number, number, number, number, number, number, number, number, number, number];

export class QmfHistory {
  readonly buf = new Int32Array(SIZE);
  pos = KEEP;
  /** Filter outputs of the last `push`. */
  odd = 0;
  even = 0;

  /** Appends two values and filters the last 24. */
  push(a: number, b: number): void {
    const h = this.buf;
    let p = this.pos;
    h[p] = a;
    h[p + 1] = b;
    p += 2;
    const s = p - 24;
    this.even =
      h[s]! * C0 + h[s + 2]! * C1 + h[s + 4]! * C2 + h[s + 6]! * C3 + h[s + 8]! * C4 + h[s + 10]! * C5 +
      h[s + 12]! * C6 + h[s + 14]! * C7 + h[s + 16]! * C8 + h[s + 18]! * C9 + h[s + 20]! * C10 + h[s + 22]! * C11;
    this.odd =
      h[s + 1]! * C11 + h[s + 3]! * C10 + h[s + 5]! * C9 + h[s + 7]! * C8 + h[s + 9]! * C7 + h[s + 11]! * C6 +
      h[s + 13]! * C5 + h[s + 15]! * C4 + h[s + 17]! * C3 + h[s + 19]! * C2 + h[s + 21]! * C1 + h[s + 23]! * C0;
    if (p >= SIZE) {
      h.copyWithin(0, p - KEEP, p);
      p = KEEP;
    }
    this.pos = p;
  }
}
