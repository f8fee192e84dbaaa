import { performance } from 'node:perf_hooks';
import type { AudioFrame } from '../../codecs/types.ts';
import { ProviderError } from '../../gateway/errors.ts';
import type { AudioSink } from '../../gateway/media/audio-sink.ts';
import { metrics } from '../../gateway/metrics.ts';
import type { LlmMessage, LlmProvider } from '../providers/llm/types.ts';
import type { SttProvider, SttUtterance } from '../providers/stt/types.ts';
import type { StreamingTts } from '../providers/tts/streaming.ts';
import type { Vad, VadChunkResult, VadStream } from '../providers/vad/types.ts';
import { frameRms, VoiceEndTracker } from '../providers/vad/voice-end.ts';
import type { AgentCallContext, AgentCallEvent, AgentSession } from '../types.ts';
import { EchoGate } from './echo-gate.ts';
import { Reply } from './reply.ts';
import type { ReplySpeaker } from './speaker.ts';
import { Deadline } from './deadline.ts';
import { endCallTool, type CascadeTool } from './tools.ts';
import { endpointDeadline, initialTurnState, turnStep, type TurnAction, type TurnConfig, type TurnEvent, type TurnState } from './turn-taking.ts';
import { TurnTimeline } from './turn-timeline.ts';
import { voiceReply } from './voiced-reply.ts';

/**
 * The cascade on one call: caller audio → VAD (+ echo gate) → turn-taking reducer → STT → LLM →
 * sentence-streamed TTS → the leg's Playout. A thin adapter: every decision is the reducer's
 * (turn-taking.ts); this file performs its actions and overlaps the stages — the recogniser hears the
 * utterance while it is spoken, the model starts on a stable interim transcript (preemptive), and
 * synthesis starts on the first clause while the model is still writing.
 */
export interface CascadeDeps {
  readonly vad: Vad;
  readonly stt: SttProvider;
  readonly llm: LlmProvider;
  readonly tts: StreamingTts;
  readonly tools: readonly CascadeTool[];
  readonly turn: TurnConfig;
  readonly instructions: string;
  readonly greeting?: string;
  readonly vadThreshold: number;
  readonly echo: { readonly enabled: boolean; readonly maxLagMs: number; readonly maxRatio: number };
  readonly maxToolRounds: number;
  /** Milliseconds between timer ticks of the reducer (endpointing when no audio arrives). */
  readonly tickMs?: number;
  /** Count the endpointing silence from the voice's energy end, not the VAD's late decision (default true). */
  readonly refineVoiceEnd?: boolean;
  /** Synthesise a preemptive reply's first sentences (held) before the turn ends (default true). */
  readonly preemptiveTts?: boolean;
}

/** Caller audio kept from before a turn opened: the VAD needs ~100 ms to be sure it is speech. */
const PREROLL_MS = 400;
/** Frames of a pause held back from the recogniser (5 s: longer than any endpointing silence). */
const MAX_HELD_FRAMES = 250;

export class CascadeSession implements AgentSession {
  readonly kind = 'cascade' as const;
  readonly #ctx: AgentCallContext;
  readonly #d: CascadeDeps;
  readonly #echo: EchoGate;
  readonly #history: LlmMessage[];
  readonly #tools: readonly CascadeTool[];
  readonly #greeting: string | undefined;
  readonly #vocabulary: readonly string[];
  #turn: TurnState = initialTurnState;
  #vad: VadStream | undefined;
  #stt: SttUtterance | undefined;
  #preroll: Int16Array[] = [];
  #prerollSamples = 0;
  #speaking = false;
  #tick: NodeJS.Timeout | undefined;
  readonly #deadline = new Deadline();
  readonly #voiceEnd = new VoiceEndTracker();
  #vadSamples = 0;
  /** Caller frames of a pause, not yet sent to the recogniser (#toStt). */
  #sttHeld: Int16Array[] = [];
  #timeline = new TurnTimeline();
  #reply: Reply | undefined;
  #speaker: ReplySpeaker | undefined;
  #preempt: Reply | undefined;
  /** The preempted reply's voice, synthesising but held until the turn ends (voiced-reply.ts). */
  #preemptVoice: ReplySpeaker | undefined;
  #turnSeq = 0;
  #speechOnset = 0;
  #speechEnd = 0;
  #hangupAfter = false;
  #stopped = false;
  #held = false;

  constructor(ctx: AgentCallContext, deps: CascadeDeps) {
    this.#ctx = ctx;
    this.#d = deps;
    this.#echo = new EchoGate({ maxLagMs: deps.echo.maxLagMs, maxRatio: deps.echo.maxRatio });
    // A routed call carries its persona and tool policy (agent/tools/call-policy.ts): its
    // instructions, greeting, vocabulary and tools win over this agent's defaults.
    const policy = ctx.policy;
    const persona = policy?.persona;
    this.#history = [{ role: 'system', content: persona?.instructions || deps.instructions }];
    this.#greeting = persona?.greeting ?? deps.greeting;
    this.#vocabulary = persona?.vocabulary ?? [];
    this.#tools = policy ? policyTools(policy) : deps.tools;
  }

  /** The conversation as the model will see it next (tests, the end-of-call record). */
  get history(): readonly LlmMessage[] {
    return this.#history;
  }

  async start(): Promise<void> {
    if (this.#stopped || this.#vad) return;
    const leg = this.#ctx.leg;
    this.#vad = this.#d.vad.open(leg.sampleRate, (r) => this.#onVad(r));
    const sink: AudioSink = { write: (f) => this.#onFrame(f), describe: () => `Cascade[${this.#d.vad.name}, ${this.#d.stt.describe()}]` };
    leg.connectInput(sink);
    this.#tick = setInterval(() => this.#dispatch({ type: 'tick', t: performance.now() }), this.#d.tickMs ?? 50);
    this.#ctx.log.info({ pipeline: leg.describe(), llm: this.#d.llm.describe(), tts: this.#d.tts.describe() }, 'cascade started');
    if (this.#greeting) this.#speak(undefined, this.#greeting);
  }

  notify(event: AgentCallEvent): void {
    this.#held = event.type === 'hold';
  }

  async stop(_reason: string): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#tick) clearInterval(this.#tick);
    this.#deadline.clear();
    this.#vad?.close();
    this.#stt?.abort();
    this.#preempt?.abort();
    this.#preemptVoice?.stop();
    this.#reply?.abort();
    this.#speaker?.stop();
  }

  #onFrame(f: AudioFrame): void {
    if (this.#stopped || this.#held) return;
    const now = performance.now();
    this.#echo.noteReceived(f.samples, now);
    if (this.#stt) this.#toStt(this.#stt, f.samples);
    else {
      this.#preroll.push(f.samples.slice());
      this.#prerollSamples += f.samples.length;
      while (this.#prerollSamples - this.#preroll[0]!.length >= (PREROLL_MS * f.sampleRate) / 1000) this.#prerollSamples -= this.#preroll.shift()!.length;
    }
    this.#vadSamples += f.samples.length;
    // Dated by its packet's arrival when the leg knows it: the endpointing silence then runs from the
    // voice end on the wire, and the jitter buffer's delay passes inside it instead of after it.
    this.#voiceEnd.push(frameRms(f.samples), this.#vadSamples, f.arrivalMs ?? now);
    this.#vad?.push(f.samples);
  }

  /**
   * Caller audio to the recogniser. While the caller is paused the audio is held back: the pause's
   * transcript (requested when the pause began) then covers every sample sent, so at the end of the
   * turn it is the final one and no request waits after the endpoint. Speech again sends what was held.
   */
  #toStt(stt: SttUtterance, pcm: Int16Array): void {
    if (this.#turn.user === 'paused' && this.#turn.utterance === 'open' && this.#sttHeld.length < MAX_HELD_FRAMES) {
      this.#sttHeld.push(pcm.slice());
      return;
    }
    for (const held of this.#sttHeld.splice(0)) stt.push(held);
    stt.push(pcm);
  }

  #onVad(r: VadChunkResult): void {
    if (this.#stopped) return;
    const was = this.#speaking;
    // Hysteresis as in Silero's VADIterator: leave speech only below threshold − 0.15.
    this.#speaking = was ? r.probability >= this.#d.vadThreshold - 0.15 : r.probability >= this.#d.vadThreshold;
    const now = performance.now();
    const echo = this.#speaking && this.#d.echo.enabled && this.#echo.isEcho(now);
    if (echo) metrics.cascadeEchoChunks.inc();
    let voiceEnd: number | undefined;
    if (was && !this.#speaking) {
      voiceEnd = this.#voiceEnd.voiceEnd(r.endSample, now);
      this.#timeline.set('voiceEnd', voiceEnd);
      this.#timeline.set('vadSilence', now);
    }
    const refine = voiceEnd !== undefined && this.#d.refineVoiceEnd !== false;
    this.#dispatch({ type: 'vad', t: now, speech: this.#speaking, echo, ...(refine ? { voiceEnd } : {}) });
  }

  #dispatch(ev: TurnEvent): void {
    if (this.#stopped) return;
    const before = this.#turn;
    const step = turnStep(this.#d.turn, this.#turn, ev);
    this.#turn = step.state;
    if (before.user === 'quiet' && step.state.user === 'speaking') this.#speechOnset = step.state.speechStart ?? ev.t;
    for (const a of step.actions) this.#perform(a, ev.t);
    this.#armDeadline();
  }

  /** Wakes the reducer exactly when the endpointing silence (or a backchannel gap) runs out. */
  #armDeadline(): void {
    const at = this.#stopped ? null : endpointDeadline(this.#d.turn, this.#turn);
    this.#deadline.arm(at, () => this.#dispatch({ type: 'tick', t: performance.now() }));
  }

  #perform(a: TurnAction, t: number): void {
    const log = this.#ctx.log;
    log.debug({ action: a.type, user: this.#turn.user, agent: this.#turn.agent }, 'turn action');
    switch (a.type) {
      case 'utterance-start': {
        this.#timeline = new TurnTimeline();
        this.#sttHeld = [];
        this.#stt?.abort();
        const seq = ++this.#turnSeq;
        this.#stt = this.#d.stt.open({
          sampleRate: this.#ctx.leg.sampleRate,
          vocabulary: this.#vocabulary,
          onInterim: (text) => seq === this.#turnSeq && this.#dispatch({ type: 'interim', t: performance.now(), text }),
          onError: (err) => log.warn({ err }, 'interim transcript failed'),
        });
        for (const c of this.#preroll) this.#stt.push(c);
        this.#preroll = [];
        this.#prerollSamples = 0;
        return;
      }
      case 'request-interim':
        this.#stt?.requestInterim();
        return;
      case 'end-of-turn': {
        metrics.cascadeEndpointingSeconds.observe(a.delayMs / 1000);
        this.#speechEnd = t - a.delayMs;
        const timeline = this.#timeline;
        timeline.mark('endpoint', t);
        const stt = this.#stt;
        this.#stt = undefined;
        // What was held is the endpointing silence after the pause's transcript: not worth a request.
        this.#sttHeld = [];
        const seq = this.#turnSeq;
        const started = performance.now();
        if (!stt) return this.#dispatch({ type: 'final', t, text: '' });
        stt.finish().then(
          (text) => {
            timeline.mark('sttFinal');
            metrics.cascadeSttFinalSeconds.observe((performance.now() - started) / 1000);
            log.info({ pii: { transcript: text } }, 'caller turn');
            if (text) this.#ctx.policy?.transcript('caller', text);
            if (seq === this.#turnSeq) this.#dispatch({ type: 'final', t: performance.now(), text });
          },
          (err: unknown) => this.#failed('stt', err),
        );
        return;
      }
      case 'discard-utterance':
        this.#sttHeld = [];
        this.#stt?.abort();
        this.#stt = undefined;
        this.#turnSeq++;
        return;
      case 'preempt':
        this.#dropPreempt();
        this.#preempt = this.#newReply(a.text);
        // Its voice too, held: the first sentence's audio is ready when the turn ends.
        if (this.#d.preemptiveTts !== false) this.#preemptVoice = this.#voice(this.#preempt, undefined, this.#timeline, true);
        return;
      case 'cancel-preempt':
        metrics.cascadePreemptions.inc({ outcome: 'discarded' });
        this.#dropPreempt();
        return;
      case 'respond': {
        let reply = this.#preempt;
        let voice = this.#preemptVoice;
        this.#preempt = undefined;
        this.#preemptVoice = undefined;
        if (a.preempted && reply && !reply.aborted) metrics.cascadePreemptions.inc({ outcome: 'used' });
        else {
          reply?.abort();
          voice?.stop();
          voice = undefined;
          reply = this.#newReply(a.text);
        }
        this.#history.push({ role: 'user', content: a.text });
        if (voice && !voice.stopped) this.#goLive(voice, reply);
        else this.#speak(reply, undefined, this.#timeline);
        return;
      }
      case 'pause-agent':
        if (!this.#speaker) return;
        this.#speaker.pause();
        this.#echo.cancelAfter(performance.now());
        metrics.cascadeBargeInStopSeconds.observe((performance.now() - this.#speechOnset) / 1000);
        return;
      case 'resume-agent':
        metrics.cascadeBargeIns.inc({ outcome: 'resumed' });
        this.#speaker?.resume();
        return;
      case 'interrupt':
        if (this.#speaker?.paused) metrics.cascadeBargeIns.inc({ outcome: 'interrupted' });
        this.#finishReply(true);
        return;
    }
  }

  #dropPreempt(): void {
    if (this.#preemptVoice) this.#timeline.clear('firstSentence', 'llmFirstText');
    this.#preempt?.abort();
    this.#preemptVoice?.stop();
    this.#preempt = undefined;
    this.#preemptVoice = undefined;
  }

  #newReply(text: string): Reply {
    return new Reply({
      llm: this.#d.llm,
      history: this.#history,
      userText: text,
      tools: this.#tools,
      maxToolRounds: this.#d.maxToolRounds,
      toolContext: { hangupAfterReply: () => (this.#hangupAfter = true) },
    });
  }

  /** Speaks a reply (or fixed text, for the greeting) sentence by sentence. */
  #speak(reply: Reply | undefined, fixed: string | undefined, timeline?: TurnTimeline): void {
    this.#finishReply(true);
    this.#goLive(this.#voice(reply, fixed, timeline, false), reply);
  }

  /** Makes `speaker` the live reply (a held one starts queueing its audio now). */
  #goLive(speaker: ReplySpeaker, reply: Reply | undefined): void {
    this.#finishReply(true);
    this.#speaker = speaker;
    this.#reply = reply;
    if (speaker.paused) speaker.resume();
  }

  #voice(reply: Reply | undefined, fixed: string | undefined, timeline: TurnTimeline | undefined, held: boolean): ReplySpeaker {
    const started = performance.now();
    const policy = this.#ctx.policy;
    const speaker = voiceReply({
      id: `cascade:${this.#turnSeq}`,
      playout: this.#ctx.leg.output,
      tts: this.#d.tts,
      reply,
      ...(fixed !== undefined ? { fixed } : {}),
      ...(timeline ? { timeline } : {}),
      held,
      ...(policy ? { allowSpeech: (s: string) => policy.allowSpeech(s) } : {}),
      onQueued: (pcm, rate, at) => this.#echo.noteSent(pcm, rate, at),
      onFirstAudio: (now) => {
        if (reply) metrics.cascadeTtfaSeconds.observe((now - (this.#speechEnd || started)) / 1000);
        this.#dispatch({ type: 'agent-audio', t: now });
      },
      onFailed: (provider, err) => this.#failed(provider, err),
      isLive: (sp) => this.#speaker === sp,
      log: (fields, msg) => this.#ctx.log.info(fields, msg),
    });
    void speaker.done.then(() => {
      if (this.#speaker !== speaker) return;
      this.#finishReply(false);
      this.#dispatch({ type: 'agent-done', t: performance.now() });
      if (this.#hangupAfter) this.#ctx.control.hangup('agent-hangup');
    });
    return speaker;
  }

  /** Ends the current reply; its history entry is what the caller heard (all of it when not cut). */
  #finishReply(interrupted: boolean): void {
    const reply = this.#reply;
    const speaker = this.#speaker;
    this.#reply = undefined;
    this.#speaker = undefined;
    if (!speaker) return;
    reply?.abort();
    const heard = interrupted ? speaker.stop() : speaker.heardText();
    if (interrupted) this.#echo.cancelAfter(performance.now());
    if (!reply) return;
    this.#history.push(...reply.added);
    if (heard) this.#history.push({ role: 'assistant', content: heard });
    if (heard) this.#ctx.policy?.transcript('agent', heard);
    if (interrupted) this.#ctx.log.info({ pii: { heard } }, 'reply interrupted');
  }

  #failed(provider: 'stt' | 'llm' | 'tts', err: unknown): void {
    if (this.#stopped) return;
    const retryable = err instanceof ProviderError ? err.retryable : true;
    metrics.cascadeProviderErrors.inc({ provider, retryable: String(retryable) });
    this.#ctx.log.error({ err, provider }, 'cascade provider failed');
    // The client already retried what was worth retrying: hand the call to the next agent.
    void this.stop('provider-failed');
    this.#ctx.control.fallback(`cascade-${provider}-failed`);
  }
}

/** The call policy's tools as cascade tools: each call goes validate → guard → confirm → execute → audit. */
function policyTools(policy: NonNullable<AgentCallContext['policy']>): CascadeTool[] {
  const tools: CascadeTool[] = policy.tools.declarations().map((spec) => ({
    spec,
    run: async (_args, _ctx, call) => (await policy.tools.run({ name: call.name, argumentsJson: call.arguments, id: call.id })).output,
  }));
  if (!tools.some((t) => t.spec.name === endCallTool.spec.name)) tools.push(endCallTool);
  return tools;
}
