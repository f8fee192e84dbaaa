import { RealtimeSttCall, REALTIME_STT_PROVIDER, type RealtimeSttSettings } from './realtime-call.ts';
import type { SttCallOptions, SttCallSession, SttOpenOptions, SttProvider, SttUtterance } from './types.ts';

/**
 * Truly streaming speech to text over the OpenAI Realtime API's transcription session
 * (`wss://…/v1/realtime?intent=transcription`, GA events of `resources/realtime/realtime.d.ts`):
 * caller audio is appended while the caller speaks, each pause commits it (an item transcribed at
 * once, its text streamed back as deltas), and the end of the turn commits what is left, so the final
 * is mostly ready when the turn ends. Turn taking stays the cascade's (`turn_detection: null`). The
 * persona's vocabulary is the recogniser's `prompt`. Base URL and key come from the `openai` client
 * (OPENAI_BASE_URL / OPENAI_API_KEY with the per-provider config overrides).
 *
 * `openCall()` keeps one session for a whole call (the cascade factory uses it); `open()` alone
 * dials a session for one utterance and hangs it up after the final.
 */
export class OpenAiRealtimeStt implements SttProvider {
  readonly name = REALTIME_STT_PROVIDER;
  readonly #s: RealtimeSttSettings;

  constructor(settings: RealtimeSttSettings) {
    this.#s = settings;
  }

  describe(): string {
    return `openai-realtime-stt(${this.#s.model}${this.#s.vocabulary?.length ? ', vocabulary' : ''})`;
  }

  openCall(o: SttCallOptions): SttCallSession {
    return new RealtimeSttCall(this.#s, o);
  }

  open(o: SttOpenOptions): SttUtterance {
    const call = new RealtimeSttCall(this.#s, { sampleRate: o.sampleRate });
    const u = call.open(o);
    return {
      push: (pcm) => u.push(pcm),
      requestInterim: () => u.requestInterim(),
      finish: () => u.finish().finally(() => call.close()),
      abort: () => {
        u.abort();
        call.close();
      },
    };
  }
}
