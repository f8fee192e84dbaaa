/**
 * The parts of the OpenAI REST wire protocol the fakes speak (types as in openai@6's
 * resources/chat/completions and resources/audio). Kept apart from the server logic (design §4.2).
 */
export interface WireChatRequest {
  readonly model: string;
  readonly messages: readonly { readonly role: string; readonly content?: unknown; readonly tool_calls?: unknown; readonly tool_call_id?: string }[];
  readonly stream?: boolean;
  readonly tools?: readonly { readonly type: 'function'; readonly function: { readonly name: string; readonly description?: string; readonly parameters?: unknown; readonly strict?: boolean } }[];
  readonly parallel_tool_calls?: boolean;
  readonly temperature?: number;
}

/** One `chat.completion.chunk` of a streamed completion (`data: {...}` lines, then `data: [DONE]`). */
export interface WireChatChunk {
  readonly id: string;
  readonly object: 'chat.completion.chunk';
  readonly created: number;
  readonly model: string;
  readonly choices: readonly {
    readonly index: number;
    readonly delta: { readonly role?: 'assistant'; readonly content?: string | null; readonly tool_calls?: readonly { readonly index: number; readonly id?: string; readonly type?: 'function'; readonly function?: { readonly name?: string; readonly arguments?: string } }[] };
    readonly finish_reason: 'stop' | 'tool_calls' | 'length' | null;
  }[];
}

/** Streamed transcription events (`stream: true` on /audio/transcriptions). */
export type WireTranscriptEvent = { readonly type: 'transcript.text.delta'; readonly delta: string } | { readonly type: 'transcript.text.done'; readonly text: string };

export interface WireSpeechRequest {
  readonly model: string;
  readonly input: string;
  readonly voice: string;
  readonly response_format?: 'mp3' | 'opus' | 'aac' | 'flac' | 'wav' | 'pcm';
  readonly speed?: number;
  readonly instructions?: string;
}

/** The error body every OpenAI endpoint answers with. */
export interface WireError {
  readonly error: { readonly message: string; readonly type: string; readonly param: string | null; readonly code: string | null };
}
