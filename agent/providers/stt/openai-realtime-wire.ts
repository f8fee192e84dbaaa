/**
 * The OpenAI Realtime wire protocol of a transcription session (GA dialect), as the `openai` package
 * declares it in `resources/realtime/realtime.d.ts`. Re-exported from one place so the provider and
 * the test server speak exactly the types the package ships (design §4.2).
 */
export type {
  AudioTranscription,
  ConversationItemInputAudioTranscriptionCompletedEvent,
  ConversationItemInputAudioTranscriptionDeltaEvent,
  ConversationItemInputAudioTranscriptionFailedEvent,
  InputAudioBufferAppendEvent,
  InputAudioBufferClearEvent,
  InputAudioBufferCommitEvent,
  InputAudioBufferCommittedEvent,
  RealtimeAudioFormats,
  RealtimeClientEvent,
  RealtimeErrorEvent,
  RealtimeServerEvent,
  RealtimeTranscriptionSessionAudioInput,
  RealtimeTranscriptionSessionCreateRequest,
  SessionUpdateEvent,
} from 'openai/resources/realtime/realtime';

import type { RealtimeClientEvent } from 'openai/resources/realtime/realtime';

/** The client events a transcription session sends: nothing that asks for a model response. */
export type TranscriptionClientEvent = Extract<
  RealtimeClientEvent,
  { type: 'session.update' | 'input_audio_buffer.append' | 'input_audio_buffer.commit' | 'input_audio_buffer.clear' }
>;

/**
 * Connect URL query of a transcription session: `wss://…/v1/realtime?intent=transcription` (no
 * `model`; the transcription model is named in `session.update`).
 */
export const TRANSCRIPTION_INTENT = 'transcription';

/** The only PCM rate the Realtime API accepts for `audio/pcm` (realtime.d.ts: "Only a 24kHz sample rate is supported"). */
export const REALTIME_PCM_RATE = 24000;

/**
 * The API refuses to commit less than 100 ms of audio (error `input_audio_buffer_commit_empty`:
 * "buffer too small. Expected at least 100ms of audio").
 */
export const MIN_COMMIT_MS = 100;
export const COMMIT_EMPTY_CODE = 'input_audio_buffer_commit_empty';

/** Largest `input_audio_buffer.append` the API takes is 15 MiB of base64; we send 20–100 ms chunks. */
export const MAX_APPEND_BASE64 = 15 * 1024 * 1024;
