/**
 * The OpenAI Realtime wire protocol (GA dialect), as the `openai` package declares it in
 * `resources/realtime/realtime.d.ts`. Re-exported from one place so the provider and the test server
 * speak exactly the types the package ships (design §4.2: wire types live apart from the adapter).
 */
export type {
  ConversationItemCreateEvent,
  ConversationItemTruncateEvent,
  InputAudioBufferAppendEvent,
  RealtimeAudioFormats,
  RealtimeAudioInputTurnDetection,
  RealtimeClientEvent,
  RealtimeErrorEvent,
  RealtimeFunctionTool,
  RealtimeResponseUsage,
  RealtimeServerEvent,
  RealtimeSessionCreateRequest,
  ResponseAudioDeltaEvent,
  ResponseCancelEvent,
  ResponseCreateEvent,
  ResponseFunctionCallArgumentsDoneEvent,
  SessionUpdateEvent,
} from 'openai/resources/realtime/realtime';

import type { RealtimeClientEvent, RealtimeServerEvent } from 'openai/resources/realtime/realtime';

/** The client event of type `T`. */
export type ClientEventOf<T extends RealtimeClientEvent['type']> = Extract<RealtimeClientEvent, { type: T }>;
/** The server event of type `T`. */
export type ServerEventOf<T extends RealtimeServerEvent['type']> = Extract<RealtimeServerEvent, { type: T }>;

/** The only PCM rate the Realtime API accepts for `audio/pcm` (realtime.d.ts: "Always 24000"). */
export const REALTIME_PCM_RATE = 24000;

/**
 * Error codes that do not mean the session is broken: a cancel that raced the response's own end,
 * a truncate that raced the server. They are counted, never a reason to fall back.
 */
export const BENIGN_ERROR_CODES: ReadonlySet<string> = new Set(['response_cancel_not_active', 'conversation_already_has_active_response']);
