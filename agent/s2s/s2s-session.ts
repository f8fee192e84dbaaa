import { createResampler } from '../../codecs/index.ts';
import { nullSink } from '../../gateway/media/audio-sink.ts';
import { metrics } from '../../gateway/metrics.ts';
import type { PlayoutSegment } from '../../gateway/media/playout.ts';
import type { S2sProvider, S2sProviderEvents } from '../providers/s2s/types.ts';
import type { AgentCallContext, AgentCallEvent, AgentSession } from '../types.ts';
import { segmentId, truncationsFor } from './barge-in.ts';
import { ModelInputSink } from './input-sink.ts';
import type { ToolRunner } from './tool-runner.ts';
import { realTimers, TurnWatch, type Timers } from './turn-watch.ts';

export interface S2sSessionOptions {
  readonly provider: S2sProvider;
  readonly tools: ToolRunner;
  /** Instructions for the first response, spoken as soon as the call is answered; empty waits for the caller. */
  readonly greeting: string;
  /** No agent audio this long after the model owes some → fall back (keeps dead air under 2 s). */
  readonly responseTimeoutMs: number;
  readonly timers?: Timers;
}

interface ItemAudio {
  readonly segment: PlayoutSegment;
  /** Samples the server sent for this item, at `rate`. */
  received: number;
  readonly rate: number;
}

type Ev<K extends keyof S2sProviderEvents> = S2sProviderEvents[K][0];

/**
 * A speech-to-speech agent on one call. Pre-warmed: the model session opens when the agent is created
 * (the INVITE), so the greeting can start within a tick of `start()` (after the ACK). Caller audio goes
 * to the model resampled to its rate; model audio goes into the leg's Playout, one segment per item,
 * so that on barge-in `Playout.clear()` says exactly what the caller heard of each item and the
 * model's memory is truncated to that (design §4.6). Any provider failure → `control.fallback`.
 */
export class S2sSession implements AgentSession {
  readonly kind = 's2s' as const;
  readonly #ctx: AgentCallContext;
  readonly #opts: S2sSessionOptions;
  readonly #p: S2sProvider;
  readonly #timers: Timers;
  readonly #watch: TurnWatch;
  readonly #ready: Promise<boolean>;
  readonly #items = new Map<string, ItemAudio>();
  /** Responses and items cut by barge-in: their late deltas must not reach the caller. */
  readonly #cut = new Set<string>();
  /** The model's output transcript so far, per item, for the never-say guard (issue 6 §6). */
  readonly #spoken = new Map<string, { readonly responseId: string; text: string }>();
  #input: ModelInputSink | undefined;
  #activeResponse: string | undefined;
  #pendingTools = 0;
  #toolOutputsSent = false;
  #started = false;
  #stopped = false;
  #failure: string | undefined;
  #outSamples = 0;

  constructor(ctx: AgentCallContext, opts: S2sSessionOptions) {
    this.#ctx = ctx;
    this.#opts = opts;
    this.#p = opts.provider;
    this.#timers = opts.timers ?? realTimers;
    this.#watch = new TurnWatch(this.#timers, opts.responseTimeoutMs, () => this.#fail('silence', 'no agent audio in time'));
    this.#listen();
    const t0 = this.#timers.now();
    this.#ready = this.#p.connect().then(
      () => {
        metrics.s2sPrewarmSeconds.observe((this.#timers.now() - t0) / 1000);
        ctx.log.debug({ ms: Math.round(this.#timers.now() - t0) }, 's2s session ready');
        return true;
      },
      (err: unknown) => {
        ctx.log.warn({ err }, 's2s session failed to open');
        this.#fail('connect', 'model session failed to open');
        return false;
      },
    );
  }

  /** Names of the tools actually executed (tests, end-of-call record). */
  get executedTools(): readonly string[] {
    return this.#opts.tools.executed;
  }

  async start(): Promise<void> {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    if (this.#failure !== undefined) return this.#fallback(this.#failure);
    if (!(await this.#ready) || this.#stopped) return;
    const leg = this.#ctx.leg;
    this.#input = new ModelInputSink(createResampler(leg.sampleRate, this.#p.sampleRate), (pcm) => this.#p.pushAudio(pcm));
    leg.connectInput(this.#input);
    this.#ctx.log.info({ pipeline: leg.describe() }, 's2s agent started');
    if (this.#opts.greeting) {
      this.#p.requestResponse(this.#opts.greeting);
      this.#watch.arm('greeting');
    }
  }

  notify(event: AgentCallEvent): void {
    // On hold nobody listens: the model owes nothing until the caller speaks again.
    if (event.type === 'hold') this.#watch.disarm();
  }

  async stop(reason: string): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#watch.disarm();
    if (this.#input) this.#ctx.leg.connectInput(nullSink);
    this.#p.close();
    const inSec = this.#input ? this.#input.samples / this.#p.sampleRate : 0;
    const outSec = this.#outSamples / this.#p.sampleRate;
    metrics.s2sAudioSeconds.inc({ direction: 'in' }, inSec);
    metrics.s2sAudioSeconds.inc({ direction: 'out' }, outSec);
    this.#ctx.log.info({ reason, audioInSec: round(inSec), audioOutSec: round(outSec), tools: this.#opts.tools.executed.length }, 's2s agent stopped');
  }

  #listen(): void {
    const p = this.#p;
    p.on('audio', (e) => this.#live() && this.#onAudio(e));
    p.on('audio-done', (e) => this.#items.get(e.itemId)?.segment.end());
    p.on('speech-started', () => this.#live() && this.#bargeIn());
    p.on('speech-stopped', (e) => this.#live() && this.#onSpeechStopped(e));
    p.on('response-started', (e) => (this.#activeResponse = e.responseId));
    p.on('response-done', (e) => this.#live() && this.#onResponseDone(e));
    p.on('transcript-delta', (e) => this.#live() && this.#onTranscriptDelta(e));
    p.on('tool-call', (e) => this.#live() && this.#onToolCall(e));
    p.on('transcript', (e) => {
      // The audit trail of both sides: personal data, so only under pii.* (design §4.9).
      this.#ctx.log.info({ itemId: e.itemId, pii: { role: e.role, transcript: e.text } }, 'transcript');
      this.#ctx.policy?.transcript(e.role, e.text);
    });
    p.on('error', (e) => {
      metrics.s2sProviderErrors.inc({ kind: e.fatal ? (e.code === 'socket' ? 'socket' : 'error-event') : 'benign' });
      this.#ctx.log.warn({ code: e.code, fatal: e.fatal, err: e.error }, 's2s provider error');
      if (e.fatal) this.#fail(null, 'provider error');
    });
    p.on('closed', (e) => {
      if (!e.byUs) this.#fail('closed', 'provider closed the connection');
    });
  }

  #live(): boolean {
    return !this.#stopped && this.#failure === undefined;
  }

  #onAudio(e: Ev<'audio'>): void {
    if (this.#cut.has(e.responseId) || this.#cut.has(e.itemId)) return;
    let item = this.#items.get(e.itemId);
    if (!item) {
      item = { segment: this.#ctx.leg.output.begin(segmentId(e.itemId), e.sampleRate), received: 0, rate: e.sampleRate };
      this.#items.set(e.itemId, item);
      void item.segment.done.then(() => this.#items.delete(e.itemId));
    }
    item.received += e.pcm.length;
    this.#outSamples += e.pcm.length;
    item.segment.push(e.pcm);
    const turn = this.#watch.audio();
    if (turn) metrics.s2sTtfaSeconds.observe({ turn: turn.kind }, turn.ttfaMs / 1000);
  }

  /**
   * The caller started speaking. Order matters: stop the caller hearing us first (synchronously, so
   * the next 20 ms tick sends no agent audio), then tell the model what was heard, then cancel.
   */
  #bargeIn(): void {
    const output = this.#ctx.leg.output;
    // Stop time is measured to the first tick that sends no agent audio (after the last agent packet
    // actually sent), not to clear(): issue 4, "speech start to the last agent packet".
    const stopped = output.idle ? undefined : output.audioStopped();
    if (stopped) void stopped.then((s) => metrics.s2sBargeInStopSeconds.observe(Math.max(0, s.silentAt - s.askedAt) / 1000));
    if (this.#stopSpeaking() > 0) metrics.s2sBargeIns.inc();
  }

  /**
   * The model said (or is about to say) a phrase the persona must never say: that response ends
   * here (issue 6 §6). Same path as barge-in: the caller stops hearing it at once, the model's memory
   * keeps only what was heard, the response is cancelled. `allowSpeech` counted and audited the hit.
   */
  #onTranscriptDelta(e: Ev<'transcript-delta'>): void {
    const policy = this.#ctx.policy;
    if (!policy || this.#cut.has(e.responseId) || this.#cut.has(e.itemId)) return;
    const entry = this.#spoken.get(e.itemId) ?? { responseId: e.responseId, text: '' };
    entry.text += e.delta;
    this.#spoken.set(e.itemId, entry);
    if (policy.allowSpeech(entry.text)) return;
    this.#ctx.log.warn({ itemId: e.itemId }, 'guardrail: never-say phrase, agent response stopped');
    // Audio of this item not yet received must not start playing later.
    this.#cut.add(e.itemId);
    this.#stopSpeaking();
  }

  /** Stops agent audio now, truncates each cut item to what was heard, cancels the response; returns the truncations sent. */
  #stopSpeaking(): number {
    const reports = this.#ctx.leg.output.clear();
    this.#watch.disarm();
    const truncations = truncationsFor(reports, (id) => {
      const it = this.#items.get(id);
      return it ? (it.received * 1000) / it.rate : undefined;
    });
    for (const t of truncations) {
      this.#cut.add(t.itemId);
      this.#p.truncate(t.itemId, t.audioEndMs);
    }
    if (truncations.length > 0) this.#ctx.log.info({ truncations }, 'agent audio stopped');
    if (this.#activeResponse !== undefined) {
      this.#cut.add(this.#activeResponse);
      this.#p.interrupt();
      this.#activeResponse = undefined;
    }
    return truncations.length;
  }

  #onSpeechStopped(e: Ev<'speech-stopped'>): void {
    metrics.agentTurns.inc({ agent: 's2s' });
    // Where the caller really stopped: `audioEndMs` into the input stream, which we send in real time.
    const sentMs = this.#input ? (this.#input.samples * 1000) / this.#p.sampleRate : 0;
    const lagMs = Math.min(Math.max(0, sentMs - e.audioEndMs), 5000);
    this.#watch.arm('reply', this.#timers.now() - lagMs);
  }

  #onResponseDone(e: Ev<'response-done'>): void {
    if (this.#activeResponse === e.responseId) this.#activeResponse = undefined;
    for (const [item, sp] of this.#spoken) if (sp.responseId === e.responseId) this.#spoken.delete(item);
    if (e.usage) {
      metrics.s2sTokens.inc({ kind: 'input' }, e.usage.inputTokens);
      metrics.s2sTokens.inc({ kind: 'output' }, e.usage.outputTokens);
    }
    if (e.status === 'failed') return this.#fail('response-failed', 'model response failed');
    this.#continueAfterTools();
  }

  #onToolCall(e: Ev<'tool-call'>): void {
    this.#watch.disarm();
    this.#pendingTools++;
    // The call's policy (persona tools: validate → guard → confirm → execute → audit) when routing
    // gave one; else this agent's own validated built-in tools.
    const policy = this.#ctx.policy;
    const run = policy
      ? policy.tools.run({ name: e.name, argumentsJson: e.arguments, id: e.callId }).then((o) => {
          metrics.s2sToolCalls.inc({ result: o.ok ? 'ok' : o.code === 'invalid' ? 'invalid' : o.code === 'failed' ? 'failed' : 'refused' });
          return o;
        })
      : this.#opts.tools.run(e.name, e.arguments, this.#ctx);
    void run.then((outcome) => {
      this.#pendingTools--;
      if (!this.#live()) return;
      this.#p.sendToolResult(e.callId, outcome.output);
      this.#toolOutputsSent = true;
      this.#continueAfterTools();
    });
  }

  /** Once every tool of the finished response has answered, ask the model to go on (one response at a time). */
  #continueAfterTools(): void {
    if (!this.#toolOutputsSent || this.#pendingTools > 0 || this.#activeResponse !== undefined) return;
    this.#toolOutputsSent = false;
    this.#p.requestResponse();
    this.#watch.arm('tool');
  }

  /** `kind` null: already counted by the caller. */
  #fail(kind: 'connect' | 'silence' | 'closed' | 'response-failed' | null, reason: string): void {
    if (this.#stopped || this.#failure !== undefined) return;
    if (kind) metrics.s2sProviderErrors.inc({ kind });
    this.#failure = reason;
    this.#watch.disarm();
    // Before start() (pre-warm during ringing) the call is not ours to hand over yet: start() does it.
    if (this.#started) this.#fallback(reason);
  }

  #fallback(reason: string): void {
    this.#ctx.log.warn({ reason }, 's2s agent failed');
    this.#ctx.control.fallback(reason);
  }
}

const round = (n: number): number => Math.round(n * 100) / 100;
