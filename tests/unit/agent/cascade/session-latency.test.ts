import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { CascadeSession, type CascadeDeps } from '../../../../agent/cascade/session.ts';
import { BUILTIN_TOOLS } from '../../../../agent/cascade/tools.ts';
import { DEFAULT_TURN_CONFIG } from '../../../../agent/cascade/turn-taking.ts';
import type { LlmProvider } from '../../../../agent/providers/llm/types.ts';
import type { SttProvider } from '../../../../agent/providers/stt/types.ts';
import type { StreamingTts } from '../../../../agent/providers/tts/streaming.ts';
import type { Vad } from '../../../../agent/providers/vad/types.ts';
import type { AgentCallContext } from '../../../../agent/types.ts';
import { FakeLeg } from '../../../fakes/fake-leg.ts';

/**
 * Issue 5: what the session does so that nothing waits after the endpoint — the pause's transcript
 * is the final one (the silence after it is not sent), the preemptive reply is synthesised while
 * held, and the silence is counted from the voice's end, not from the VAD's late decision.
 */

/** A VAD that, like Silero, keeps saying speech for `lagChunks` chunks after the voice stopped. */
function laggyVad(lagChunks: number): Vad {
  return {
    name: 'laggy',
    close: async () => undefined,
    open(_rate, cb) {
      let buf: number[] = [];
      let n = 0;
      let quiet = 0;
      return {
        sampleRate: 8000,
        chunkSamples: 256,
        push(pcm) {
          for (const v of pcm) {
            buf.push(v);
            if (buf.length < 256) continue;
            n += 256;
            quiet = buf.some((x) => Math.abs(x) > 1000) ? 0 : quiet + 1;
            cb({ probability: quiet === 0 || quiet <= lagChunks ? 0.9 : 0.01, endSample: n });
            buf = [];
          }
        },
        close() {},
      };
    },
  };
}

interface SttLog {
  pushed: number;
  atInterim: number[];
  atFinish: number[];
}

function recordingStt(text: string, log: SttLog): SttProvider {
  return {
    name: 'rec-stt',
    describe: () => 'rec-stt',
    open: (o) => ({
      push: (pcm) => void (log.pushed += pcm.length),
      requestInterim: () => {
        log.atInterim.push(log.pushed);
        setTimeout(() => o.onInterim(text), 5);
      },
      finish: async () => (log.atFinish.push(log.pushed), text),
      abort() {},
    }),
  };
}

const llm: LlmProvider = {
  name: 'llm',
  describe: () => 'llm',
  async *stream() {
    yield { type: 'text', delta: 'Hi there.' };
    yield { type: 'done', finishReason: 'stop' };
  },
};

/** A voice whose n-th request (from 1) answers with samples of value 1000·n, and records when. */
function countingTts(calls: number[]): StreamingTts {
  return {
    engine: 'fake',
    describe: () => 'fake',
    async *stream() {
      calls.push(performance.now());
      yield { pcm: new Int16Array(800).fill(1000 * calls.length), sampleRate: 8000 };
    },
  };
}

function context(leg: FakeLeg): AgentCallContext {
  return {
    callId: 't',
    leg,
    log: pino({ level: 'silent' }),
    control: { hangup: () => undefined, sendDtmf: async () => undefined, fallback: () => undefined, transfer: async () => ({ ok: false, reason: 'unavailable' }) },
  } as unknown as AgentCallContext;
}

function deps(over: Partial<CascadeDeps>): CascadeDeps {
  return { vad: laggyVad(3), stt: recordingStt('Hello there.', { pushed: 0, atInterim: [], atFinish: [] }), llm, tts: countingTts([]), tools: BUILTIN_TOOLS, turn: { ...DEFAULT_TURN_CONFIG, minSilenceMs: 300 }, instructions: 'sys', vadThreshold: 0.5, echo: { enabled: false, maxLagMs: 800, maxRatio: 0.5 }, maxToolRounds: 1, tickMs: 1000, ...over };
}

/**
 * Real-time 20 ms frames: `plan` is a list of [loud?, ms]; calls `each` after every frame. With
 * `arrivalLagMs`, each frame says its packet arrived that long before it was written (a jitter buffer).
 */
async function feed(leg: FakeLeg, plan: [boolean, number][], each?: (t: number) => void, arrivalLagMs?: number): Promise<void> {
  const t0 = performance.now();
  let k = 0;
  for (const [loud, ms] of plan) {
    for (let i = 0; i < ms / 20; i++, k++) {
      const arrival = arrivalLagMs === undefined ? {} : { arrivalMs: performance.now() - arrivalLagMs };
      leg.sink.write({ samples: new Int16Array(160).fill(loud ? 5000 : 0), sampleRate: 8000, timestamp: k * 160, ...arrival });
      each?.(performance.now() - t0);
      // Drift-free: frame k+1 is due at (k+1)·20 ms.
      await new Promise((r) => setTimeout(r, Math.max(0, t0 + (k + 1) * 20 - performance.now())));
    }
  }
}

describe('cascade session: nothing waits after the endpoint', () => {
  it('counts the silence from the voice end, sends no silence after the pause transcript, and queues the held reply at once', async (t) => {
    const leg = new FakeLeg();
    const sttLog: SttLog = { pushed: 0, atInterim: [], atFinish: [] };
    const ttsCalls: number[] = [];
    const s = new CascadeSession(context(leg), deps({ stt: recordingStt('Hello there.', sttLog), tts: countingTts(ttsCalls) }));
    t.after(() => s.stop('test'));
    await s.start();
    let queuedAt: number | undefined;
    let queuedBeforeEnd = false;
    await feed(leg, [[true, 400], [false, 700]], (t) => {
      if (queuedAt === undefined && leg.output.queuedMs > 0) queuedAt = t;
      if (t < 400 + 250 && leg.output.queuedMs > 0) queuedBeforeEnd = true;
    });
    assert.equal(queuedBeforeEnd, false, 'a held reply must not be heard before the turn ends');
    assert.ok(ttsCalls.length === 1, `the preemptive reply was synthesised once (${ttsCalls.length})`);
    // The voice ended with the frame at 400 ms; the VAD let go ~3 chunks (96 ms) later. Counted
    // from the voice, 300 ms of silence end the turn near 700 ms, not near 800 ms.
    assert.ok(queuedAt !== undefined && queuedAt >= 680 && queuedAt < 760, `reply queued at ${queuedAt} ms`);
    assert.equal(sttLog.atInterim.length, 1);
    assert.deepEqual(sttLog.atFinish, sttLog.atInterim, 'the final covers exactly what the pause transcript covered');
  });

  it('counts the silence from the packet arrival a frame carries, so the jitter buffer delay passes inside it', async (t) => {
    const leg = new FakeLeg();
    const s = new CascadeSession(context(leg), deps({}));
    t.after(() => s.stop('test'));
    await s.start();
    let queuedAt: number | undefined;
    // Every frame left a (simulated) jitter buffer 60 ms after its packet arrived.
    await feed(leg, [[true, 400], [false, 700]], (t) => {
      if (queuedAt === undefined && leg.output.queuedMs > 0) queuedAt = t;
    }, 60);
    // The voice's last packet arrived near 400 − 60 ms: 300 ms of silence end the turn near 640 ms
    // on the write clock, some 60 ms before the same audio undated ends it (~700 ms, the test above).
    assert.ok(queuedAt !== undefined && queuedAt >= 615 && queuedAt < 690, `reply queued at ${queuedAt} ms`);
  });

  it('a preemptive reply the caller talks over is never heard; the next one is', async (t) => {
    const leg = new FakeLeg();
    const ttsCalls: number[] = [];
    const s = new CascadeSession(context(leg), deps({ tts: countingTts(ttsCalls) }));
    t.after(() => s.stop('test'));
    await s.start();
    await feed(leg, [[true, 400], [false, 200], [true, 400], [false, 700]]);
    assert.ok(ttsCalls.length >= 2, `synthesised ${ttsCalls.length} times`);
    const out = new Int16Array(160);
    assert.ok(leg.output.pullInto(out));
    assert.equal(out[0], 1000 * ttsCalls.length, 'the caller hears the last reply, not the cancelled one');
  });

  it('with preemptive synthesis off, nothing is synthesised before the turn ends', async (t) => {
    const leg = new FakeLeg();
    const ttsCalls: number[] = [];
    const s = new CascadeSession(context(leg), deps({ tts: countingTts(ttsCalls), preemptiveTts: false }));
    t.after(() => s.stop('test'));
    await s.start();
    const t0 = performance.now();
    await feed(leg, [[true, 400], [false, 700]]);
    assert.equal(ttsCalls.length, 1);
    assert.ok(ttsCalls[0]! - t0 >= 650, `synthesis started ${ttsCalls[0]! - t0} ms in`);
  });
});
