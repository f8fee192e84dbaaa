/**
 * mod_audio_fork's WebSocket protocol (FreeSWITCH is the client, we are the server; subprotocol
 * `audio.drachtio.org`). FreeSWITCH → us: first a text frame with the `metadata` argument verbatim,
 * then binary raw L16 LE; later text JSON events (mark acks). Us → FreeSWITCH: text JSON with a
 * top-level `type`, and, in jambonz's bidirectional streaming mode, binary L16 LE at the start
 * argument's sample rate. Text over ~650 KB is dropped by the module: playAudio chunks stay small.
 */
export const FORK_SUBPROTOCOL = 'audio.drachtio.org';

/** What we put in `metadata`: which call the socket belongs to, and a secret so no one else can claim it. */
export interface ForkMetadata {
  readonly callId: string;
  readonly token: string;
}

export type ForkCommand =
  | { readonly type: 'playAudio'; readonly data: { readonly audioContentType: 'raw' | 'wav'; readonly sampleRate: number; readonly audioContent: string } }
  | { readonly type: 'killAudio' }
  | { readonly type: 'mark'; readonly data: { readonly name: string } }
  | { readonly type: 'clearMarks' };

/** `{"type":"mark","data":{"name":"x","event":"playout"|"cleared"}}` */
export interface ForkMarkAck {
  readonly name: string;
  readonly event: string;
}

export function parseMetadata(text: string): ForkMetadata | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null) return undefined;
    const o = v as Record<string, unknown>;
    return typeof o['callId'] === 'string' && typeof o['token'] === 'string' ? { callId: o['callId'], token: o['token'] } : undefined;
  } catch {
    return undefined;
  }
}

/** A later text frame from FreeSWITCH: a mark ack, or something we do not act on. */
export function parseForkEvent(text: string): { kind: 'mark'; ack: ForkMarkAck } | { kind: 'other'; type: string } | { kind: 'bad' } {
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null) return { kind: 'bad' };
    const o = v as Record<string, unknown>;
    const type = typeof o['type'] === 'string' ? o['type'] : 'json';
    const d = o['data'] as Record<string, unknown> | undefined;
    if (type === 'mark' && d && typeof d['name'] === 'string') return { kind: 'mark', ack: { name: d['name'], event: typeof d['event'] === 'string' ? d['event'] : '' } };
    return { kind: 'other', type };
  } catch {
    return { kind: 'bad' };
  }
}
