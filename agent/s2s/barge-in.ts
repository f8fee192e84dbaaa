import type { PlayedReport } from '../../gateway/media/playout.ts';

/** Playout segment ids of agent audio carry the model's item id after this prefix. */
export const SEGMENT_PREFIX = 's2s:';

export function segmentId(itemId: string): string {
  return SEGMENT_PREFIX + itemId;
}

export interface Truncation {
  readonly itemId: string;
  /** What the caller heard of the item, never more than the audio the server sent. */
  readonly audioEndMs: number;
}

/**
 * Pure: which items to truncate after `Playout.clear()`, and where. The model's memory must hold
 * only words the caller heard (openai-agents-js TwilioRealtimeTransport; realtime.d.ts
 * ConversationItemTruncateEvent: an `audio_end_ms` beyond the audio sent is refused). `receivedMs`
 * gives, per item, the milliseconds of audio the server sent.
 */
export function truncationsFor(reports: readonly PlayedReport[], receivedMs: (itemId: string) => number | undefined): Truncation[] {
  const out: Truncation[] = [];
  for (const r of reports) {
    if (!r.id.startsWith(SEGMENT_PREFIX)) continue;
    const itemId = r.id.slice(SEGMENT_PREFIX.length);
    const sent = receivedMs(itemId);
    if (sent === undefined) continue;
    out.push({ itemId, audioEndMs: Math.max(0, Math.min(Math.floor(r.playedMs), Math.floor(sent))) });
  }
  return out;
}
