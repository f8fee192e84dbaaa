import { decodeInto as mulawDecode } from '../../codecs/g711/mulaw.ts';
import { resampleOffline } from '../../agent/providers/tts/resample-offline.ts';
import type { FakeRealtimeConnection } from '../../tests/fakes/openai-realtime/connection.ts';
import { FakeRealtimeServer } from '../../tests/fakes/openai-realtime/server.ts';
import { startPinnedGateway, type PinnedGateway } from './pinned-gateway.ts';
import { EnergyTurnDetector } from './turn-detect.ts';

/**
 * The speech-to-speech benchmarks' set-up: the strict local Realtime server (TLS, in this process,
 * so its timestamps share the caller's clock) and the real gateway pinned to CPU 0 with agent s2s,
 * pointed at it exactly as the integration test does (OPENAI_BASE_URL + NODE_EXTRA_CA_CERTS).
 */

const KEY = 'sk-local-bench';

export interface S2sRig {
  readonly server: FakeRealtimeServer;
  readonly gw: PinnedGateway;
  stop(): Promise<void>;
}

export async function startS2sRig(): Promise<S2sRig> {
  const server = await FakeRealtimeServer.start({ apiKey: KEY });
  let gw: PinnedGateway;
  try {
    gw = await startPinnedGateway({
      cpu: 0,
      rtpPorts: 20,
      config: {
        codecs: ['G722', 'PCMU', 'PCMA'],
        // No greeting: the caller speaks first, so every response is a measured turn.
        agent: { default: 's2s', s2s: { greeting: '', responseTimeoutMs: 3000 } },
        routing: { default: { agent: 's2s', fallback: ['menu'] } },
        calls: { drainTimeoutSec: 1 },
      },
      env: { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: server.baseUrl, NODE_EXTRA_CA_CERTS: server.cert.certFile },
    });
  } catch (err) {
    await server.close();
    throw err;
  }
  return {
    server,
    gw,
    stop: async () => {
      await gw.stop();
      await server.close();
    },
  };
}

/** Input audio of one append as PCM (G.711 μ-law when passed through, else PCM16 LE at 24 kHz). */
function inputPcm(conn: FakeRealtimeConnection, b64: string): { pcm: Int16Array; rate: number } {
  const bytes = Buffer.from(b64, 'base64');
  if (conn.session?.audio?.input?.format?.type === 'audio/pcmu') {
    const pcm = new Int16Array(bytes.length);
    mulawDecode(bytes, pcm);
    return { pcm, rate: 8000 };
  }
  const pcm = new Int16Array(bytes.length >> 1);
  for (let i = 0; i < pcm.length; i++) pcm[i] = bytes.readInt16LE(2 * i);
  return { pcm, rate: 24000 };
}

export interface ModelTurn {
  /** When the append holding the caller's last voiced audio arrived. */
  readonly lastVoicedAt: number;
  readonly response: ReturnType<FakeRealtimeConnection['respondWithAudio']>;
}

/**
 * The model side of a turn-latency run: emulates server_vad on the input audio (turn-detect.ts),
 * sends speech_started / speech_stopped like the real API, and answers every turn at once (no model
 * latency) with `reply` (24 kHz). Records, per turn, when the last voiced input arrived and when the
 * first delta left (AudioResponse.firstDeltaAt).
 */
export function scriptTurns(conn: FakeRealtimeConnection, reply: Int16Array, silenceMs: number): ModelTurn[] {
  const turns: ModelTurn[] = [];
  let det: EnergyTurnDetector | undefined;
  conn.on('event', (e) => {
    if (e.type !== 'input_audio_buffer.append') return;
    const at = performance.now();
    const { pcm, rate } = inputPcm(conn, e.audio);
    det ??= new EnergyTurnDetector({ voicedRms: 200, silenceMs, sampleRate: rate });
    const ev = det.push(pcm, at);
    if (ev?.type === 'speech-started') conn.speechStarted();
    if (ev?.type === 'speech-stopped') {
      conn.speechStopped();
      turns.push({ lastVoicedAt: ev.lastVoicedAt, response: conn.respondWithAudio(reply, { firstDeltaMs: 0, chunkMs: 100, paceMs: 50 }) });
    }
  });
  return turns;
}

/** A steady tone (24 kHz): agent audio that never dips to silence, so its first and last packet are unambiguous. */
export function tone24k(ms: number, hz = 440, amplitude = 8000): Int16Array {
  const n = Math.round((ms * 24000) / 1000);
  return Int16Array.from({ length: n }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / 24000)));
}

/**
 * `pcm` at `rate`, without its quiet head and tail (|x| < `level`), cut to whole 20 ms frames, with a
 * 5 ms fade at the end: the last frame is loud speech, and what codec and resampler delays smear into
 * the next frame stays far below the model's voiced level, so caller and model agree on which packet
 * was the last voiced one.
 */
export function trimToFrames(pcm: Int16Array, rate: number, level = 2000): Int16Array {
  let a = 0;
  let b = pcm.length - 1;
  while (a < pcm.length && Math.abs(pcm[a]!) < level) a++;
  while (b > a && Math.abs(pcm[b]!) < level) b--;
  const spf = rate / 50;
  // End on the last loud sample: the last voiced packet is then a whole frame of speech.
  const end = b + 1;
  const start = Math.max(0, end - Math.floor((end - a) / spf) * spf);
  const out = pcm.slice(start, end);
  const fade = Math.min(out.length, Math.round(rate / 200));
  for (let i = 0; i < fade; i++) out[out.length - 1 - i] = Math.round((out[out.length - 1 - i]! * i) / fade);
  return out;
}

export function atRate(pcm: Int16Array, from: number, to: number): Int16Array {
  return from === to ? pcm : resampleOffline(pcm, from, to);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
