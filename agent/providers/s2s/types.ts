import type { EventEmitter } from 'node:events';
import type { ProviderError } from '../../../gateway/errors.ts';
import type { ToolSpec } from '../../../policies/tool-validation.ts';

/** How audio crosses the wire: PCM16 at the model's rate, or G.711 passed through for G.711 calls. */
export type S2sAudioFormat = 'pcm16' | 'pcmu' | 'pcma';

export type TurnDetectionSettings =
  | { readonly type: 'server_vad'; readonly threshold: number; readonly prefixPaddingMs: number; readonly silenceDurationMs: number }
  | { readonly type: 'semantic_vad'; readonly eagerness: 'low' | 'medium' | 'high' | 'auto' };

/** What a speech-to-speech session is told at the start (from the persona and config). */
export interface S2sSessionSettings {
  readonly instructions: string;
  readonly voice: string;
  readonly tools: readonly ToolSpec[];
  readonly turnDetection: TurnDetectionSettings;
  readonly noiseReduction: 'near_field' | 'far_field' | 'off';
  /** Caller-side transcription: the audit trail of what the caller said. */
  readonly transcriptionModel: string;
  readonly audioFormat: S2sAudioFormat;
}

export interface S2sUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** Events of a speech-to-speech provider, already translated out of the vendor's wire protocol. */
export interface S2sProviderEvents {
  /** Agent audio of one output item, PCM16 at `sampleRate`. */
  audio: [{ readonly itemId: string; readonly responseId: string; readonly pcm: Int16Array; readonly sampleRate: number }];
  /** No more audio for this item. */
  'audio-done': [{ readonly itemId: string }];
  /** The provider's VAD heard the caller start speaking: barge-in. */
  'speech-started': [];
  /**
   * The caller stopped speaking: the turn's TTFA clock starts. `audioEndMs` is where speech ended in
   * the input audio stream (ms since the session's first input sample), before the VAD's silence wait.
   */
  'speech-stopped': [{ readonly audioEndMs: number }];
  'response-started': [{ readonly responseId: string }];
  'response-done': [{ readonly responseId: string; readonly status: string; readonly usage: S2sUsage | undefined }];
  /** A function call whose arguments are complete (not yet validated: untrusted input). */
  'tool-call': [{ readonly callId: string; readonly name: string; readonly arguments: string }];
  transcript: [{ readonly role: 'caller' | 'agent'; readonly itemId: string; readonly text: string }];
  /** A piece of the model's own output transcript, as it is generated (the never-say guard reads these). */
  'transcript-delta': [{ readonly itemId: string; readonly responseId: string; readonly delta: string }];
  /** `fatal` errors end the session (the agent falls back); others are counted only. */
  error: [{ readonly error: ProviderError; readonly fatal: boolean; readonly code: string }];
  /** The connection ended (by us or by the remote). */
  closed: [{ readonly byUs: boolean }];
}

/** A speech-to-speech model session (design §2: pushAudio, events, sendToolResult, interrupt, truncate). */
export interface S2sProvider extends EventEmitter<S2sProviderEvents> {
  readonly name: string;
  /** PCM rate `pushAudio` takes and `audio` events carry. */
  readonly sampleRate: number;
  /** Opens the session and applies the settings; rejects with a ProviderError. */
  connect(): Promise<void>;
  /** Caller audio, PCM16 at `sampleRate`. */
  pushAudio(pcm: Int16Array): void;
  /** Asks the model to speak now (greeting, or after tool results), with optional extra instructions. */
  requestResponse(instructions?: string): void;
  sendToolResult(callId: string, output: string): void;
  /** Cancels the response in progress. */
  interrupt(): void;
  /** Cuts the model's memory of an item to what the caller heard. */
  truncate(itemId: string, audioEndMs: number): void;
  close(): void;
}
