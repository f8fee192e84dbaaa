import type { TurnMark } from '../../agent/cascade/turn-timeline.ts';
import { percentile, round } from './stats.ts';

/**
 * The cascade's per-turn overhead split into its parts: the gateway's 'turn timing' log lines
 * (agent/cascade/turn-timeline.ts, marks in ms after the caller's voice end) lined up with the
 * caller's own packet times on the wall clock.
 */

export interface WireTurn {
  /** The caller's last voiced packet sent, ms since the epoch. */
  readonly lastVoicedEpochMs: number;
  /** The first agent packet received, ms since the epoch. */
  readonly firstHeardEpochMs: number;
}

export interface GatewayTurn {
  readonly voiceEndEpochMs: number;
  readonly marks: Partial<Record<TurnMark, number>>;
}

export interface StageFigure {
  readonly stage: string;
  readonly p50: number;
  readonly p95: number;
  readonly values: number[];
}

/** The 'turn timing' lines of a pino JSON log. */
export function parseTurnTimings(log: string): GatewayTurn[] {
  const out: GatewayTurn[] = [];
  for (const line of log.split('\n')) {
    if (!line.includes('"turn timing"')) continue;
    try {
      const j = JSON.parse(line) as { turn?: Partial<Record<TurnMark, number>>; voiceEndEpochMs?: number };
      if (j.turn && typeof j.voiceEndEpochMs === 'number') out.push({ voiceEndEpochMs: j.voiceEndEpochMs, marks: j.turn });
    } catch {
      // another writer's partial line
    }
  }
  return out;
}

/**
 * The stages: the wire and the jitter buffer, the VAD's lag, the endpoint's lateness (the silence
 * taken out), then each later moment from the endpoint, then the wire back; and the total.
 */
export function breakdown(wire: readonly WireTurn[], gw: readonly GatewayTurn[], minSilenceMs: number): StageFigure[] {
  const cols: Record<string, number[]> = {};
  const add = (k: string, v: number | undefined): void => {
    if (v !== undefined && Number.isFinite(v)) (cols[k] ??= []).push(v);
  };
  for (const w of wire) {
    // The gateway turn whose voice end is nearest after this caller's last voiced packet; dated by
    // arrival it may also fall a frame or two before it (the gateway's noise floor calls a quiet last
    // frame silence, the caller's does not), and the two clocks differ by a little.
    const g = gw
      .filter((x) => x.voiceEndEpochMs >= w.lastVoicedEpochMs - 100 && x.voiceEndEpochMs <= w.lastVoicedEpochMs + 300)
      .sort((a, b) => a.voiceEndEpochMs - b.voiceEndEpochMs)[0];
    if (!g) continue;
    const m = g.marks;
    const fromEndpoint = (at: number | undefined): number | undefined => (at === undefined || m.endpoint === undefined ? undefined : at - m.endpoint);
    // The voice end is the packet's arrival on an RTP leg (AudioFrame.arrivalMs): this is then the
    // wire alone, and the jitter buffer's wait shows in the next stage, inside the silence.
    add('caller packet → gateway arrival (voice end)', g.voiceEndEpochMs - w.lastVoicedEpochMs);
    add('voice end → VAD says silence', m.vadSilence);
    add('voice end → endpoint, minus silence', m.endpoint === undefined ? undefined : m.endpoint - minSilenceMs);
    // Relative to the endpoint: negative when done speculatively before it (preemptive reply).
    add('endpoint → STT final', fromEndpoint(m.sttFinal));
    add('endpoint → LLM first text', fromEndpoint(m.llmFirstText));
    add('endpoint → first sentence to TTS', fromEndpoint(m.firstSentence));
    add('endpoint → TTS audio queued', fromEndpoint(m.ttsFirstAudio));
    add('TTS audio queued → first packet sent', m.firstPacket === undefined || m.ttsFirstAudio === undefined ? undefined : m.firstPacket - m.ttsFirstAudio);
    add('first packet sent → caller receives', m.firstPacket === undefined ? undefined : w.firstHeardEpochMs - (g.voiceEndEpochMs + m.firstPacket));
    add('TOTAL overhead (TTFA − silence)', w.firstHeardEpochMs - w.lastVoicedEpochMs - minSilenceMs);
  }
  return Object.entries(cols).map(([stage, values]) => ({ stage, values, p50: round(percentile(values, 50)), p95: round(percentile(values, 95)) }));
}

export function formatBreakdown(rows: readonly StageFigure[]): string {
  return rows.map((r) => `    ${r.stage.padEnd(44)} p50 ${String(r.p50).padStart(7)} ms   p95 ${String(r.p95).padStart(7)} ms   (n=${r.values.length})`).join('\n');
}
