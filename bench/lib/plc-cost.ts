import { G711AppendixIConcealer } from '../../codecs/plc/g711-appendix-i.ts';

/**
 * CPU cost of G.711 Appendix I concealment (codecs/plc) per lost 20 ms frame, in microseconds, at
 * `rate`. Each measured loss is one frame after a good one, so every iteration pays the pitch
 * search (the expensive part, once per loss) plus the recovery overlap-add; the good frame's own
 * history copy is timed apart and subtracted. Bounded: `losses` iterations per run.
 */
export function plcCostPerLostFrameUs(speech: Int16Array, rate: number, runs: number, losses = 20_000): number[] {
  const spf = rate / 50;
  const frames = Math.floor(speech.length / spf);
  const good = Array.from({ length: frames }, (_, k) => speech.slice(k * spf, (k + 1) * spf));
  const lostBuf = new Int16Array(spf);
  const pass = (conceal: boolean): number => {
    const plc = new G711AppendixIConcealer(rate);
    const t0 = process.cpuUsage();
    for (let i = 0; i < losses; i++) {
      plc.good(good[i % frames]!.slice());
      if (conceal) plc.conceal(lostBuf);
    }
    const d = process.cpuUsage(t0);
    return d.user + d.system;
  };
  pass(true); // warm-up for the JIT
  const out: number[] = [];
  for (let r = 0; r < runs; r++) out.push(Math.max(0, pass(true) - pass(false)) / losses);
  return out;
}
