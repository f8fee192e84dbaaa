import { completeness, isBackchannel, normalizeText, DEFAULT_BACKCHANNELS } from './text-rules.ts';

/**
 * Turn taking as a pure reducer (design §4.4): `turnStep(config, state, event) → {state, actions}`.
 * No timers, no I/O: time comes in with every event (`t`, milliseconds on any monotonic clock), and
 * the session adapter performs the actions. Defaults follow LiveKit Agents' endpointing
 * (min_endpointing_delay 0.5 s, max_endpointing_delay 3.0 s, min_interruption_duration 0.5 s,
 * false_interruption_timeout 2.0 s).
 *
 *   caller:  quiet ──speech ≥ minSpeech──▶ speaking ──silence──▶ paused ──silence ≥ min|max──▶ quiet (end-of-turn)
 *   agent:   idle ──respond──▶ thinking ──audio──▶ speaking ──caller speech ≥ bargeIn──▶ paused
 *            paused ──final with words──▶ idle (interrupt) | ──backchannel/no words/timeout──▶ speaking (resume)
 *
 * Echo: VAD chunks flagged `echo` (inbound audio explained by what we sent, see echo-gate.ts) count as
 * silence, so the agent's own voice coming back never opens a turn or interrupts.
 */

export interface TurnConfig {
  /** Silence that ends a turn whose transcript sounds finished (or is not known yet). */
  readonly minSilenceMs: number;
  /** Silence that ends any turn, even one cut off mid-phrase ("and…"). */
  readonly maxSilenceMs: number;
  /** Speech needed before a caller turn opens (drops clicks and coughs). */
  readonly minSpeechMs: number;
  /** Caller speech over the agent needed before the agent stops (shorter: a backchannel). */
  readonly bargeInMinSpeechMs: number;
  /** Silence that ends caller speech over a talking agent (shorter gaps are bridged). */
  readonly backchannelGapMs: number;
  /** After the agent paused for caller speech that yields no words within this, it resumes. */
  readonly falseInterruptionMs: number;
  readonly backchannels: readonly string[];
  readonly backchannelMaxWords: number;
  /** Start generating on the transcript of a paused caller before the turn has ended. */
  readonly preemptive: boolean;
}

export const DEFAULT_TURN_CONFIG: TurnConfig = {
  minSilenceMs: 500,
  maxSilenceMs: 3000,
  minSpeechMs: 96,
  bargeInMinSpeechMs: 500,
  backchannelGapMs: 300,
  falseInterruptionMs: 2000,
  backchannels: DEFAULT_BACKCHANNELS,
  backchannelMaxWords: 3,
  preemptive: true,
};

export type TurnEvent =
  /**
   * One VAD decision for a chunk ending at `t`. `voiceEnd` (≤ t), on a silence decision: when the
   * caller's voice really stopped (voice-end.ts); the endpointing silence is counted from there.
   */
  | { readonly type: 'vad'; readonly t: number; readonly speech: boolean; readonly echo: boolean; readonly voiceEnd?: number }
  /** A transcript of the open utterance so far. */
  | { readonly type: 'interim'; readonly t: number; readonly text: string }
  /** The transcript of the utterance closed by `end-of-turn`. */
  | { readonly type: 'final'; readonly t: number; readonly text: string }
  /** The agent's reply became audible. */
  | { readonly type: 'agent-audio'; readonly t: number }
  /** The agent's reply played to its end (or produced nothing). */
  | { readonly type: 'agent-done'; readonly t: number }
  | { readonly type: 'tick'; readonly t: number };

export type TurnAction =
  /** A caller utterance opened at `t0`: send its audio (with pre-roll) to the recogniser. */
  | { readonly type: 'utterance-start'; readonly t0: number }
  /** The caller paused: ask for a transcript of everything so far. */
  | { readonly type: 'request-interim' }
  | { readonly type: 'preempt'; readonly text: string }
  | { readonly type: 'cancel-preempt' }
  /** The turn ended: finalise the transcript. `delayMs` is the endpointing delay after speech stopped. */
  | { readonly type: 'end-of-turn'; readonly delayMs: number; readonly reason: 'min-silence' | 'max-silence' }
  /** The utterance was not a turn (backchannel, no words): drop its audio and transcript. */
  | { readonly type: 'discard-utterance' }
  /** Answer the caller. `preempted`: the speculative generation for the same text stands. */
  | { readonly type: 'respond'; readonly text: string; readonly preempted: boolean }
  /** Caller speech over the agent: stop the audio now, keep the rest of the reply for a resume. */
  | { readonly type: 'pause-agent' }
  | { readonly type: 'resume-agent' }
  /** Confirmed interruption: abort generation and synthesis, truncate history to what was heard. */
  | { readonly type: 'interrupt' };

export interface TurnState {
  readonly user: 'quiet' | 'speaking' | 'paused';
  readonly agent: 'idle' | 'thinking' | 'speaking' | 'paused';
  /** Start of the current run of speech while quiet (candidate utterance), or null. */
  readonly runStart: number | null;
  /** Start of caller speech since the agent last spoke, for barge-in. */
  readonly speechStart: number | null;
  readonly silenceStart: number | null;
  /** An utterance is open (audio going to STT) or closed and awaiting its final. */
  readonly utterance: 'none' | 'open' | 'finalizing';
  readonly lastInterim: string | undefined;
  readonly preempted: string | null;
  readonly pausedAt: number | null;
  /** When the caller's last utterance over a paused agent ended (false-interruption clock). */
  readonly quietSince: number | null;
  readonly lastT: number;
}

export const initialTurnState: TurnState = {
  user: 'quiet',
  agent: 'idle',
  runStart: null,
  speechStart: null,
  silenceStart: null,
  utterance: 'none',
  lastInterim: undefined,
  preempted: null,
  pausedAt: null,
  quietSince: null,
  lastT: 0,
};

export interface TurnStep {
  readonly state: TurnState;
  readonly actions: readonly TurnAction[];
}

export function turnStep(cfg: TurnConfig, s: TurnState, ev: TurnEvent): TurnStep {
  const actions: TurnAction[] = [];
  let st: TurnState = { ...s, lastT: Math.max(s.lastT, ev.t) };
  switch (ev.type) {
    case 'vad':
      st = ev.speech && !ev.echo ? onSpeech(cfg, st, ev.t, actions) : onSilence(cfg, st, ev.t, Math.min(ev.t, ev.voiceEnd ?? ev.t), actions);
      break;
    case 'interim':
      st = onInterim(cfg, st, ev.text, actions);
      break;
    case 'final':
      st = onFinal(cfg, st, ev.text, actions);
      break;
    case 'agent-audio':
      if (st.agent === 'thinking' || st.agent === 'idle') st = { ...st, agent: 'speaking', speechStart: st.user === 'speaking' ? ev.t : null };
      break;
    case 'agent-done':
      if (st.agent !== 'paused') st = { ...st, agent: 'idle' };
      break;
    case 'tick':
      st = onTime(cfg, st, ev.t, actions);
      break;
  }
  return { state: st, actions };
}

function onSpeech(cfg: TurnConfig, s: TurnState, t: number, out: TurnAction[]): TurnState {
  let st = s;
  if (st.user === 'quiet') {
    const runStart = st.runStart ?? t;
    st = { ...st, runStart };
    if (t - runStart < cfg.minSpeechMs) return st;
    st = { ...st, user: 'speaking', runStart: null, silenceStart: null, speechStart: st.speechStart ?? runStart };
    if (st.utterance === 'none') {
      st = { ...st, utterance: 'open', lastInterim: undefined };
      out.push({ type: 'utterance-start', t0: runStart });
    }
    // A caller who speaks while the reply is still being generated takes the floor back at once:
    // nothing was heard yet, so nothing is lost by dropping it.
    if (st.agent === 'thinking') {
      out.push({ type: 'interrupt' });
      st = { ...st, agent: 'idle' };
    }
  } else if (st.user === 'paused') {
    st = { ...st, user: 'speaking', silenceStart: null };
    if (st.preempted !== null) {
      out.push({ type: 'cancel-preempt' });
      st = { ...st, preempted: null };
    }
  }
  if (st.agent === 'speaking' && st.speechStart !== null && t - st.speechStart >= cfg.bargeInMinSpeechMs) {
    out.push({ type: 'pause-agent' });
    st = { ...st, agent: 'paused', pausedAt: t };
  }
  return st;
}

function onSilence(cfg: TurnConfig, s: TurnState, t: number, voiceEnd: number, out: TurnAction[]): TurnState {
  let st: TurnState = { ...s, runStart: null };
  if (st.user === 'speaking') {
    st = { ...st, user: 'paused', silenceStart: voiceEnd };
    if (st.agent !== 'speaking') out.push({ type: 'request-interim' });
  }
  return onTime(cfg, st, t, out);
}

function onInterim(cfg: TurnConfig, s: TurnState, text: string, out: TurnAction[]): TurnState {
  if (s.utterance !== 'open') return s;
  const st = { ...s, lastInterim: text };
  // Stable: the caller has paused, so this transcript covers all of the utterance's audio.
  if (cfg.preemptive && st.user === 'paused' && st.agent === 'idle' && normalizeText(text) !== '' && st.preempted === null) {
    out.push({ type: 'preempt', text });
    return { ...st, preempted: normalizeText(text) };
  }
  return st;
}

function onFinal(cfg: TurnConfig, s: TurnState, text: string, out: TurnAction[]): TurnState {
  if (s.utterance !== 'finalizing') return s;
  const st: TurnState = { ...s, utterance: 'none', lastInterim: undefined, speechStart: s.user === 'quiet' ? null : s.speechStart };
  const norm = normalizeText(text);
  const noWords = norm === '' || isBackchannel(text, cfg.backchannels, cfg.backchannelMaxWords);
  if (st.agent === 'paused') {
    if (noWords) {
      out.push({ type: 'discard-utterance' }, { type: 'resume-agent' });
      return { ...st, agent: 'speaking', pausedAt: null, speechStart: null, quietSince: null };
    }
    out.push({ type: 'interrupt' });
  } else if (norm === '') {
    if (st.preempted !== null) out.push({ type: 'cancel-preempt' });
    out.push({ type: 'discard-utterance' });
    return { ...st, preempted: null };
  }
  const preempted = st.preempted !== null && st.preempted === norm;
  if (st.preempted !== null && !preempted) out.push({ type: 'cancel-preempt' });
  out.push({ type: 'respond', text, preempted });
  return { ...st, agent: 'thinking', preempted: null, pausedAt: null, speechStart: null, quietSince: null };
}

/**
 * When the open utterance's endpointing silence runs out (if no speech comes first), so the adapter
 * can wake exactly then instead of on its next tick or VAD chunk; null when no turn is pending.
 */
export function endpointDeadline(cfg: TurnConfig, s: TurnState): number | null {
  if (s.user !== 'paused' || s.silenceStart === null) return null;
  // Over a talking agent the shorter backchannel gap decides first (onTime's first rule).
  if (s.agent === 'speaking') return s.silenceStart + cfg.backchannelGapMs;
  return s.utterance === 'open' ? s.silenceStart + silenceLimit(cfg, s) : null;
}

function silenceLimit(cfg: TurnConfig, s: TurnState): number {
  return completeness(s.lastInterim) === 'incomplete' ? cfg.maxSilenceMs : cfg.minSilenceMs;
}

function onTime(cfg: TurnConfig, s: TurnState, t: number, out: TurnAction[]): TurnState {
  let st = s;
  // Short speech over a talking agent that never reached barge-in, then a gap: a backchannel, not a
  // turn. (The gap bridges frames a VAD or the echo gate calls silence inside real speech.)
  if (st.agent === 'speaking' && st.user === 'paused' && st.silenceStart !== null && t - st.silenceStart >= cfg.backchannelGapMs) {
    out.push({ type: 'discard-utterance' });
    return { ...st, user: 'quiet', utterance: 'none', speechStart: null, silenceStart: null, lastInterim: undefined };
  }
  if (st.user === 'paused' && st.silenceStart !== null && st.utterance === 'open') {
    const silence = t - st.silenceStart;
    const limit = silenceLimit(cfg, st);
    if (silence >= limit) {
      out.push({ type: 'end-of-turn', delayMs: silence, reason: limit === cfg.maxSilenceMs ? 'max-silence' : 'min-silence' });
      st = { ...st, user: 'quiet', utterance: 'finalizing', silenceStart: null, quietSince: t };
    }
  }
  // A pause that never turns into words (no final in time): give the agent its turn back.
  if (st.agent === 'paused' && st.user === 'quiet' && st.quietSince !== null && t - st.quietSince >= cfg.falseInterruptionMs) {
    if (st.utterance !== 'none') out.push({ type: 'discard-utterance' });
    out.push({ type: 'resume-agent' });
    st = { ...st, agent: 'speaking', pausedAt: null, speechStart: null, quietSince: null, utterance: 'none', lastInterim: undefined };
  }
  return st;
}
