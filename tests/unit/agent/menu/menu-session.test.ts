import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createMenuFactory } from '../../../../agent/menu/menu-factory.ts';
import { MenuSession, type MenuTimers } from '../../../../agent/menu/menu-session.ts';
import { EspeakTts } from '../../../../agent/providers/tts/espeak.ts';
import type { TtsOptions, TtsProvider, TtsResult } from '../../../../agent/providers/tts/types.ts';
import type { AgentCallContext } from '../../../../agent/types.ts';
import type { VoiceMenuConfig } from '../../../../config/types.ts';
import type { DtmfDigit } from '../../../../gateway/media/dtmf.ts';
import type { MediaLeg, MediaLegEvents } from '../../../../gateway/media/media-leg.ts';
import { Playout } from '../../../../gateway/media/playout.ts';
import { ProviderError } from '../../../../gateway/errors.ts';
import { silentLogger } from '../../../../gateway/log.ts';

const cfg: VoiceMenuConfig = {
  greeting: 'HELLO',
  goodbye: 'BYE',
  invalid: 'INVALID',
  transferFailed: 'SORRY',
  fallbackApology: 'APOLOGY',
  start: 'main',
  inputTimeoutSec: 5,
  maxRepeats: 1,
  tts: { voice: 'en-us', speed: 1, cacheDir: '/unused' },
  menus: {
    main: { prompt: 'MAIN', options: [{ digit: '1', say: 'ONE', then: 'repeat' }, { digit: '9', then: 'hangup' }] },
  },
};

/** TTS whose clips last 100 ms (5 frames at 20 ms); can be held back or made to fail. */
class FakeTts implements TtsProvider {
  readonly engine = 'fake';
  readonly calls: Array<{ text: string; sampleRate?: number }> = [];
  gate: Promise<void> | undefined;
  fail = false;
  async synthesize(text: string, opts: TtsOptions = {}): Promise<TtsResult> {
    this.calls.push({ text, ...(opts.sampleRate !== undefined && { sampleRate: opts.sampleRate }) });
    if (this.gate) await this.gate;
    if (this.fail) throw new ProviderError('fake', 'synthesis failed', false);
    const rate = opts.sampleRate ?? 16000;
    return { pcm: new Int16Array(rate / 10).fill(1000), sampleRate: rate };
  }
  describe(): string {
    return 'fake';
  }
}

class ManualTimers implements MenuTimers {
  readonly pending = new Map<number, { fn: () => void; ms: number }>();
  #id = 0;
  setTimeout(fn: () => void, ms: number): number {
    this.pending.set(++this.#id, { fn, ms });
    return this.#id;
  }
  clearTimeout(h: unknown): void {
    this.pending.delete(h as number);
  }
  fireAll(): void {
    const due = [...this.pending.values()];
    this.pending.clear();
    for (const t of due) t.fn();
  }
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

function harness(opts: { tts?: FakeTts; log?: AgentCallContext['log']; fallbackFrom?: AgentCallContext['fallbackFrom'] } = {}) {
  const output = new Playout({ sampleRate: 8000 });
  const queued: string[] = [];
  const play = output.play.bind(output);
  output.play = (id, pcm, rate) => {
    queued.push(id.split(':').slice(2).join(':')); // "menu:<seq>:<key>" → key
    return play(id, pcm, rate);
  };
  const leg = Object.assign(new EventEmitter<MediaLegEvents>(), { sampleRate: 8000, output }) as unknown as MediaLeg;
  const hangups: string[] = [];
  const tts = opts.tts ?? new FakeTts();
  const timers = new ManualTimers();
  const ctx: AgentCallContext = {
    callId: 'c1',
    band: 'narrow',
    from: '+15550001',
    dialed: '+15550002',
    variables: {},
    leg,
    control: { hangup: (r) => void hangups.push(r), sendDtmf: async () => {}, fallback: () => {}, transfer: async () => ({ ok: false, reason: 'unavailable' }) },
    log: opts.log ?? silentLogger,
    ...(opts.fallbackFrom && { fallbackFrom: opts.fallbackFrom }),
  };
  const session = new MenuSession(ctx, cfg, tts, { timers });
  const frame = new Int16Array(160);
  return {
    session,
    leg,
    output,
    queued,
    hangups,
    tts,
    timers,
    /** The pacer: pulls `frames` 20 ms frames, letting promise callbacks run after each. */
    async pump(frames: number) {
      for (let i = 0; i < frames; i++) {
        output.pullInto(frame);
        await flush();
      }
    },
    async press(digit: DtmfDigit) {
      leg.emit('dtmf', { digit, durationMs: 100, source: 'rfc4733' });
      await flush();
    },
  };
}

test('greeting, then the menu prompt, then the input timer; prompts are synthesised at the leg rate', async () => {
  const h = harness();
  await h.session.start();
  await flush();
  assert.deepEqual(h.queued, ['greeting']);
  assert.equal(h.tts.calls[0]?.sampleRate, 8000);
  assert.equal(h.timers.pending.size, 0);
  await h.pump(5);
  assert.deepEqual(h.queued, ['greeting', 'menu:main']);
  await h.pump(5);
  assert.equal(h.timers.pending.size, 1);
  assert.equal([...h.timers.pending.values()][0]?.ms, 5000);
  await h.session.stop('test');
});

test('taking over from a failed AI agent: the apology first, then greeting and menu', async () => {
  const h = harness({ fallbackFrom: { kind: 's2s', reason: 'no agent audio in time' } });
  await h.session.start();
  await flush();
  assert.deepEqual(h.queued, ['fallback-apology']);
  assert.equal(h.tts.calls[0]?.text, 'APOLOGY');
  await h.pump(5);
  assert.deepEqual(h.queued, ['fallback-apology', 'greeting']);
  await h.pump(5);
  assert.deepEqual(h.queued, ['fallback-apology', 'greeting', 'menu:main']);
  await h.session.stop('test');
});

test('a digit selects an option; a digit during a prompt clears the playout (barge-in); hangup after goodbye', async () => {
  const h = harness();
  await h.session.start();
  await flush();
  await h.pump(10); // greeting + menu
  await h.press('1');
  assert.equal(h.timers.pending.size, 0, 'input timer cancelled');
  assert.deepEqual(h.queued.slice(2), ['option:main:1']);
  await h.pump(5);
  assert.deepEqual(h.queued.slice(2), ['option:main:1', 'menu:main']);
  await h.pump(2); // the caller hears 40 ms of the menu prompt…
  assert.ok(h.output.queuedMs > 0);
  await h.press('9'); // …and presses 9
  assert.deepEqual(h.queued.slice(2), ['option:main:1', 'menu:main', 'goodbye']);
  assert.equal(h.output.queuedMs, 100, 'only the goodbye is left: the menu prompt was cleared');
  await h.press('1');
  assert.equal(h.queued.length, 5, 'the goodbye is not interruptible');
  assert.deepEqual(h.hangups, []);
  await h.pump(5);
  assert.deepEqual(h.hangups, ['agent-hangup']);
  assert.equal(h.queued.length, 5, 'the interrupted prompt did not advance the menu');
  await h.session.stop('bye');
});

test('silence: re-prompt up to maxRepeats, then goodbye and hangup', async () => {
  const h = harness();
  await h.session.start();
  await flush();
  await h.pump(10);
  h.timers.fireAll();
  await flush();
  assert.deepEqual(h.queued, ['greeting', 'menu:main', 'menu:main']);
  await h.pump(5);
  h.timers.fireAll();
  await flush();
  assert.deepEqual(h.queued.at(-1), 'goodbye');
  await h.pump(5);
  assert.deepEqual(h.hangups, ['agent-hangup']);
});

test('an unknown digit plays "invalid" then the menu again', async () => {
  const h = harness();
  await h.session.start();
  await flush();
  await h.pump(10);
  await h.press('#');
  await h.pump(5);
  assert.deepEqual(h.queued.slice(2), ['invalid', 'menu:main']);
});

test('a prompt whose synthesis finishes after the caller moved on is not played', async () => {
  const tts = new FakeTts();
  let release!: () => void;
  tts.gate = new Promise((r) => (release = r));
  const h = harness({ tts });
  await h.session.start(); // greeting synthesis is held back
  await h.press('1'); // barge-in before any audio: option "ONE" requested
  tts.gate = undefined;
  release();
  await flush();
  assert.deepEqual(h.queued, ['option:main:1']);
});

test('hold pauses the silence timer, resume restarts it', async () => {
  const h = harness();
  await h.session.start();
  await flush();
  await h.pump(10);
  assert.equal(h.timers.pending.size, 1);
  h.session.notify({ type: 'hold' });
  assert.equal(h.timers.pending.size, 0);
  h.session.notify({ type: 'resume' });
  assert.equal(h.timers.pending.size, 1);
});

test('stop() is idempotent, clears timers and playout, and detaches from DTMF', async () => {
  const h = harness();
  await h.session.start();
  await flush();
  await h.pump(10);
  await h.press('1'); // option queued
  assert.ok(!h.output.idle);
  await h.session.stop('caller-bye');
  await h.session.stop('again');
  assert.ok(h.output.idle);
  assert.equal(h.timers.pending.size, 0);
  assert.equal(h.leg.listenerCount('dtmf'), 0);
  await h.press('9');
  await h.pump(10);
  assert.deepEqual(h.queued.slice(2), ['option:main:1']);
  assert.deepEqual(h.hangups, []);
});

test('a TTS failure ends the call instead of leaving the caller in silence', async () => {
  const tts = new FakeTts();
  tts.fail = true;
  const h = harness({ tts });
  await h.session.start();
  await flush();
  assert.deepEqual(h.hangups, ['agent-hangup']);
  assert.equal(h.leg.listenerCount('dtmf'), 0);
});

test('digits are logged only under pii.digit, never in the message', async () => {
  const lines: string[] = [];
  const sink = new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) });
  const h = harness({ log: pino({ level: 'debug' }, sink) });
  await h.session.start();
  await flush();
  await h.press('7');
  const rec = lines.map((l) => JSON.parse(l) as { msg: string; pii?: { digit?: string } }).find((r) => r.msg === 'menu digit');
  assert.equal(rec?.pii?.digit, '7');
  assert.doesNotMatch(rec?.msg ?? '', /7/);
  await h.session.stop('x');
});

test('the factory pre-synthesises every prompt, so the first call starts without running espeak', async () => {
  const tts = new EspeakTts();
  const factory = createMenuFactory(cfg, tts, silentLogger);
  assert.equal(factory.kind, 'menu');
  await factory.prewarm([8000, 8000]);
  assert.equal(tts.synthesisRuns, 6, 'HELLO, BYE, INVALID, APOLOGY, MAIN, ONE at 8000 Hz');
  const h = harness();
  const session = factory.create({ callId: 'c2', band: 'narrow', from: '', dialed: '', variables: {}, leg: h.leg, control: { hangup: () => {}, sendDtmf: async () => {}, fallback: () => {}, transfer: async () => ({ ok: false, reason: 'unavailable' }) }, log: silentLogger });
  assert.equal(session.kind, 'menu');
  await session.start();
  await flush();
  assert.deepEqual(h.queued, ['greeting']);
  assert.equal(tts.synthesisRuns, 6);
  // A fallback call starts with the pre-synthesised apology: still no espeak run.
  const h2 = harness();
  const fb = factory.create({ callId: 'c3', band: 'narrow', from: '', dialed: '', variables: {}, leg: h2.leg, control: { hangup: () => {}, sendDtmf: async () => {}, fallback: () => {}, transfer: async () => ({ ok: false, reason: 'unavailable' }) }, log: silentLogger, fallbackFrom: { kind: 's2s', reason: 'provider error' } });
  await fb.start();
  await flush();
  assert.deepEqual(h2.queued, ['fallback-apology']);
  assert.equal(tts.synthesisRuns, 6);
  await fb.stop('done');
  assert.ok(h.output.queuedMs > 200, 'real speech queued');
  await session.stop('done');
});
