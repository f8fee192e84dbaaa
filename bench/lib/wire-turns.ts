/**
 * Pure arithmetic of the speech-to-speech benchmarks, on timestamps taken where packets cross the
 * caller's socket (sent / received) and where the fake model receives input and sends output (all
 * on one clock, ms). Kept apart from the sockets so it is unit-tested.
 */

/** A packet the caller received: arrival time and whether it carried agent audio (RMS above a level). */
export interface HeardPacket {
  readonly at: number;
  readonly audio: boolean;
}

export interface TurnTimes {
  /** The caller sent its last voiced packet. */
  readonly lastVoicedSentAt: number;
  /** The model received the input chunk holding the caller's last voiced audio. */
  readonly modelLastVoicedAt: number;
  /** The model sent its first audio delta (after its VAD silence and its own latency). */
  readonly modelFirstDeltaAt: number;
  /** The caller received the first packet carrying agent audio. */
  readonly firstAgentHeardAt: number;
}

export interface TurnOverhead {
  /** Last voiced caller packet → first agent packet, as the caller sees it. */
  readonly totalMs: number;
  /** The model's own delay (VAD silence + response latency): not the gateway's. */
  readonly modelMs: number;
  /** totalMs − modelMs: what the gateway adds (caller → model plus model → caller). */
  readonly overheadMs: number;
  /** Caller's last voiced packet on the wire → the model has it (jitter buffer, resampling, WebSocket). */
  readonly inputMs: number;
  /** Model's first delta → the caller has the first agent packet (decode, playout, 20 ms tick, RTP). */
  readonly outputMs: number;
}

export function turnOverhead(t: TurnTimes): TurnOverhead {
  const totalMs = t.firstAgentHeardAt - t.lastVoicedSentAt;
  const modelMs = t.modelFirstDeltaAt - t.modelLastVoicedAt;
  return {
    totalMs,
    modelMs,
    overheadMs: totalMs - modelMs,
    inputMs: t.modelLastVoicedAt - t.lastVoicedSentAt,
    outputMs: t.firstAgentHeardAt - t.modelFirstDeltaAt,
  };
}

/** Arrival time of the first agent-audio packet after `after`, if any. */
export function firstAudioAfter(heard: readonly HeardPacket[], after: number): number | undefined {
  for (const p of heard) if (p.at > after && p.audio) return p.at;
  return undefined;
}

export interface BargeInStop {
  /** Last agent-audio packet arrival − speech_started sent; ≤ 0 when none left after it. */
  readonly lastAgentMs: number;
  /** First packet without agent audio after that one − speech_started sent: agent audio has stopped. */
  readonly firstSilentMs: number;
}

/**
 * Where agent audio stopped on the wire around one `speech_started` sent at `startedAt`. Only packets
 * before `windowEnd` count (the next response, which follows the caller's turn, must not). Undefined
 * when no agent audio was playing in the 200 ms before the signal (nothing to stop) or it never stopped.
 */
export function bargeInStop(heard: readonly HeardPacket[], startedAt: number, windowEnd: number): BargeInStop | undefined {
  let lastAudio: number | undefined;
  let firstSilent: number | undefined;
  for (const p of heard) {
    if (p.at < startedAt - 200 || p.at >= windowEnd) continue;
    if (p.audio) {
      lastAudio = p.at;
      firstSilent = undefined;
    } else if (lastAudio !== undefined && firstSilent === undefined) {
      firstSilent = p.at;
    }
  }
  if (lastAudio === undefined || firstSilent === undefined) return undefined;
  return { lastAgentMs: lastAudio - startedAt, firstSilentMs: firstSilent - startedAt };
}
