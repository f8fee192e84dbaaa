import { Ajv, type ValidateFunction } from 'ajv';
import type {
  ConversationItemCreateEvent,
  ConversationItemTruncateEvent,
  InputAudioBufferAppendEvent,
  RealtimeClientEvent,
  RealtimeFunctionTool,
  RealtimeSessionCreateRequest,
  ResponseCancelEvent,
  ResponseCreateEvent,
  SessionUpdateEvent,
} from '../../../agent/providers/s2s/openai-realtime-wire.ts';
import type {
  AudioTranscription,
  ConversationItemDeleteEvent,
  ConversationItemRetrieveEvent,
  InputAudioBufferClearEvent,
  InputAudioBufferCommitEvent,
  OutputAudioBufferClearEvent,
  RealtimeAudioConfig,
  RealtimeAudioConfigInput,
  RealtimeAudioConfigOutput,
  RealtimeConversationItemFunctionCallOutput,
  RealtimeResponseCreateParams,
  RealtimeTranscriptionSessionAudio,
  RealtimeTranscriptionSessionAudioInput,
  RealtimeTranscriptionSessionCreateRequest,
} from 'openai/resources/realtime/realtime';

/**
 * JSON Schemas of every client event the Realtime API accepts (GA), written against the `openai`
 * package's own types: `obj<T>()` demands exactly the keys of T (TypeScript fails the build if the
 * package adds, removes or renames a field), and the map over `RealtimeClientEvent['type']` demands a
 * schema for every event type. At run time ajv refuses unknown fields and wrong types, as the real
 * API does ("Unknown parameter", "Invalid type").
 */
type Schema = Record<string, unknown>;
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T] & string;

function obj<T>(props: { [K in keyof Required<T>]: Schema }, required: readonly RequiredKeys<T>[]): Schema {
  return { type: 'object', properties: props, required, additionalProperties: false };
}

const str: Schema = { type: 'string' };
const anyValue: Schema = {};
const eventId: Schema = { type: 'string', maxLength: 512 };
const lit = (v: string): Schema => ({ const: v });
const int = (min = 0): Schema => ({ type: 'integer', minimum: min });

const format: Schema = {
  oneOf: [
    { type: 'object', properties: { type: lit('audio/pcm'), rate: { const: 24000 } }, required: ['type'], additionalProperties: false },
    { type: 'object', properties: { type: lit('audio/pcmu') }, required: ['type'], additionalProperties: false },
    { type: 'object', properties: { type: lit('audio/pcma') }, required: ['type'], additionalProperties: false },
  ],
};

const turnDetection: Schema = {
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['type'],
      properties: {
        type: lit('server_vad'),
        create_response: { type: 'boolean' },
        idle_timeout_ms: { type: ['integer', 'null'], minimum: 5000, maximum: 30000 },
        interrupt_response: { type: 'boolean' },
        prefix_padding_ms: int(),
        silence_duration_ms: int(),
        threshold: { type: 'number', minimum: 0, maximum: 1 },
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['type'],
      properties: { type: lit('semantic_vad'), create_response: { type: 'boolean' }, eagerness: { enum: ['low', 'medium', 'high', 'auto'] }, interrupt_response: { type: 'boolean' } },
    },
    { type: 'null' },
  ],
};

const transcription = obj<AudioTranscription>({ delay: { enum: ['minimal', 'low', 'medium', 'high', 'xhigh'] }, language: str, model: str, prompt: str }, []);
const audioInput = obj<RealtimeAudioConfigInput>(
  {
    format,
    noise_reduction: { oneOf: [{ type: 'null' }, { type: 'object', properties: { type: { enum: ['near_field', 'far_field'] } }, additionalProperties: false }] },
    transcription: { oneOf: [{ type: 'null' }, transcription] },
    turn_detection: turnDetection,
  },
  [],
);
const audioOutput = obj<RealtimeAudioConfigOutput>({ format, speed: { type: 'number', minimum: 0.25, maximum: 1.5 }, voice: { oneOf: [str, { type: 'object', properties: { id: str }, required: ['id'], additionalProperties: false }] } }, []);
const audio = obj<RealtimeAudioConfig>({ input: audioInput, output: audioOutput }, []);
const functionTool = obj<RealtimeFunctionTool>({ description: str, name: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' }, parameters: { type: 'object' }, type: lit('function') }, []);

const session = obj<RealtimeSessionCreateRequest>(
  {
    type: lit('realtime'),
    audio,
    include: { type: 'array', items: { enum: ['item.input_audio_transcription.logprobs'] } },
    instructions: str,
    max_output_tokens: { oneOf: [{ type: 'integer', minimum: 1, maximum: 4096 }, { const: 'inf' }] },
    model: str,
    output_modalities: { type: 'array', maxItems: 1, items: { enum: ['text', 'audio'] } },
    parallel_tool_calls: { type: 'boolean' },
    prompt: anyValue,
    reasoning: { type: 'object' },
    tool_choice: anyValue,
    tools: { type: 'array', items: { oneOf: [functionTool, { type: 'object', properties: { type: lit('mcp') }, required: ['type'] }] } },
    tracing: anyValue,
    truncation: anyValue,
  },
  ['type'],
);

/** A transcription session (`?intent=transcription`): input audio only, no model response. */
const transcriptionAudioInput = obj<RealtimeTranscriptionSessionAudioInput>(
  {
    format,
    noise_reduction: { oneOf: [{ type: 'null' }, { type: 'object', properties: { type: { enum: ['near_field', 'far_field'] } }, additionalProperties: false }] },
    transcription,
    turn_detection: turnDetection,
  },
  [],
);
const transcriptionSession = obj<RealtimeTranscriptionSessionCreateRequest>(
  {
    type: lit('transcription'),
    audio: obj<RealtimeTranscriptionSessionAudio>({ input: transcriptionAudioInput }, []),
    include: { type: 'array', items: { enum: ['item.input_audio_transcription.logprobs'] } },
  },
  ['type'],
);

const functionCallOutput = obj<RealtimeConversationItemFunctionCallOutput>(
  { call_id: { type: 'string', minLength: 1 }, output: str, type: lit('function_call_output'), id: str, object: lit('realtime.item'), status: { enum: ['completed', 'incomplete', 'in_progress'] } },
  ['call_id', 'output', 'type'],
);
/** Other item kinds (messages, MCP) are accepted by shape only: this gateway never sends them. */
const otherItem: Schema = { type: 'object', required: ['type'], properties: { type: { enum: ['message', 'function_call', 'mcp_approval_response'] } } };

const responseParams = obj<RealtimeResponseCreateParams>(
  {
    audio: { type: 'object' },
    conversation: str,
    input: { type: 'array' },
    instructions: str,
    max_output_tokens: { oneOf: [{ type: 'integer', minimum: 1, maximum: 4096 }, { const: 'inf' }] },
    metadata: { type: ['object', 'null'] },
    output_modalities: { type: 'array', maxItems: 1, items: { enum: ['text', 'audio'] } },
    parallel_tool_calls: { type: 'boolean' },
    prompt: anyValue,
    reasoning: { type: 'object' },
    tool_choice: anyValue,
    tools: { type: 'array' },
  },
  [],
);

const SCHEMAS: { readonly [K in RealtimeClientEvent['type']]: Schema } = {
  'conversation.item.create': obj<ConversationItemCreateEvent>({ item: { oneOf: [functionCallOutput, otherItem] }, type: lit('conversation.item.create'), event_id: eventId, previous_item_id: str }, ['item', 'type']),
  'conversation.item.delete': obj<ConversationItemDeleteEvent>({ item_id: str, type: lit('conversation.item.delete'), event_id: eventId }, ['item_id', 'type']),
  'conversation.item.retrieve': obj<ConversationItemRetrieveEvent>({ item_id: str, type: lit('conversation.item.retrieve'), event_id: eventId }, ['item_id', 'type']),
  'conversation.item.truncate': obj<ConversationItemTruncateEvent>({ audio_end_ms: int(), content_index: { const: 0 }, item_id: { type: 'string', minLength: 1 }, type: lit('conversation.item.truncate'), event_id: eventId }, ['audio_end_ms', 'content_index', 'item_id', 'type']),
  'input_audio_buffer.append': obj<InputAudioBufferAppendEvent>({ audio: { type: 'string', pattern: '^[A-Za-z0-9+/]*={0,2}$', maxLength: 15 * 1024 * 1024 }, type: lit('input_audio_buffer.append'), event_id: eventId }, ['audio', 'type']),
  'input_audio_buffer.clear': obj<InputAudioBufferClearEvent>({ type: lit('input_audio_buffer.clear'), event_id: eventId }, ['type']),
  'output_audio_buffer.clear': obj<OutputAudioBufferClearEvent>({ type: lit('output_audio_buffer.clear'), event_id: eventId }, ['type']),
  'input_audio_buffer.commit': obj<InputAudioBufferCommitEvent>({ type: lit('input_audio_buffer.commit'), event_id: eventId }, ['type']),
  'response.cancel': obj<ResponseCancelEvent>({ type: lit('response.cancel'), event_id: eventId, response_id: str }, ['type']),
  'response.create': obj<ResponseCreateEvent>({ type: lit('response.create'), event_id: eventId, response: responseParams }, ['type']),
  'session.update': obj<SessionUpdateEvent>({ session: { if: { type: 'object', properties: { type: lit('transcription') }, required: ['type'] }, then: transcriptionSession, else: session }, type: lit('session.update'), event_id: eventId }, ['session', 'type']),
};

const ajv = new Ajv({ strict: false, allErrors: true });
const VALIDATORS = new Map<string, ValidateFunction>(Object.entries(SCHEMAS).map(([k, s]) => [k, ajv.compile(s)]));

export type ClientEventCheck = { ok: true; event: RealtimeClientEvent } | { ok: false; code: string; message: string };

/** Checks one text frame from a client as the real API would: JSON, a known type, known fields. */
export function checkClientEvent(text: string): ClientEventCheck {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: 'invalid_json', message: 'The server failed to parse the event as JSON' };
  }
  const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
  const validate = typeof type === 'string' ? VALIDATORS.get(type) : undefined;
  if (!validate) return { ok: false, code: 'invalid_value', message: `Invalid value: '${String(type)}'. Supported values are: ${[...VALIDATORS.keys()].join(', ')}.` };
  if (!validate(value)) {
    const e = validate.errors?.[0];
    const extra = e?.keyword === 'additionalProperties' ? ` '${String((e.params as { additionalProperty?: string }).additionalProperty)}'` : '';
    return { ok: false, code: e?.keyword === 'additionalProperties' ? 'unknown_parameter' : 'invalid_type', message: `${type}${e?.instancePath ?? ''}: ${e?.message ?? 'invalid'}${extra}` };
  }
  return { ok: true, event: value as RealtimeClientEvent };
}
