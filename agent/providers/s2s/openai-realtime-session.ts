import type { RealtimeAudioFormats, RealtimeAudioInputTurnDetection, RealtimeSessionCreateRequest } from './openai-realtime-wire.ts';
import { REALTIME_PCM_RATE } from './openai-realtime-wire.ts';
import type { S2sAudioFormat, S2sSessionSettings, TurnDetectionSettings } from './types.ts';

/**
 * Pure translation of our session settings into the GA `session.update` body
 * (realtime.d.ts RealtimeSessionCreateRequest). Audio output only: text supervision comes from the
 * caller-side transcription and the model's own audio transcript.
 */
export function sessionRequest(s: S2sSessionSettings, model: string): RealtimeSessionCreateRequest {
  const format = wireFormat(s.audioFormat);
  return {
    type: 'realtime',
    model,
    instructions: s.instructions,
    output_modalities: ['audio'],
    audio: {
      input: {
        format,
        // Omitted means off (the API's default); the type has no null here.
        ...(s.noiseReduction === 'off' ? {} : { noise_reduction: { type: s.noiseReduction } }),
        transcription: { model: s.transcriptionModel },
        turn_detection: turnDetection(s.turnDetection),
      },
      output: { format, voice: s.voice },
    },
    tools: s.tools.map((t) => ({ type: 'function' as const, name: t.name, description: t.description, parameters: t.parameters })),
    tool_choice: 'auto',
  };
}

export function wireFormat(f: S2sAudioFormat): RealtimeAudioFormats {
  if (f === 'pcmu') return { type: 'audio/pcmu' };
  if (f === 'pcma') return { type: 'audio/pcma' };
  return { type: 'audio/pcm', rate: REALTIME_PCM_RATE };
}

/** PCM rate of the audio crossing the wire in format `f` (G.711 is 8 kHz, ITU-T G.711 §1). */
export function formatRate(f: S2sAudioFormat): number {
  return f === 'pcm16' ? REALTIME_PCM_RATE : 8000;
}

function turnDetection(t: TurnDetectionSettings): RealtimeAudioInputTurnDetection {
  // interrupt_response: the server cancels its own response on barge-in; we still clear playout and
  // truncate ourselves, since only we know what the caller heard.
  if (t.type === 'semantic_vad') return { type: 'semantic_vad', eagerness: t.eagerness, create_response: true, interrupt_response: true };
  return {
    type: 'server_vad',
    threshold: t.threshold,
    prefix_padding_ms: t.prefixPaddingMs,
    silence_duration_ms: t.silenceDurationMs,
    create_response: true,
    interrupt_response: true,
  };
}
