import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_TURN_CONFIG, endpointDeadline, initialTurnState, turnStep, type TurnAction, type TurnConfig, type TurnEvent, type TurnState } from '../../../../agent/cascade/turn-taking.ts';

/** Runs events through the reducer; returns the final state and every action with its event time. */
function run(events: TurnEvent[], cfg: TurnConfig = DEFAULT_TURN_CONFIG, from: TurnState = initialTurnState): { state: TurnState; actions: (TurnAction & { at: number })[] } {
  let state = from;
  const actions: (TurnAction & { at: number })[] = [];
  for (const ev of events) {
    const step = turnStep(cfg, state, ev);
    state = step.state;
    actions.push(...step.actions.map((a) => ({ ...a, at: ev.t })));
  }
  return { state, actions };
}

/** VAD chunks every 32 ms from `t0` to `t1` (exclusive). */
function vad(t0: number, t1: number, speech: boolean, echo = false): TurnEvent[] {
  const out: TurnEvent[] = [];
  for (let t = t0; t < t1; t += 32) out.push({ type: 'vad', t, speech, echo });
  return out;
}
const types = (as: readonly TurnAction[]): string[] => as.map((a) => a.type);

describe('turn taking: endpointing', () => {
  it('opens a turn after min speech and ends it after 0.5 s of silence when the transcript sounds finished', () => {
    const { actions, state } = run([...vad(0, 1000, true), ...vad(1000, 1100, false), { type: 'interim', t: 1200, text: 'My Sev-1 ticket is dropping payloads.' }, ...vad(1100, 1700, false)]);
    const start = actions.find((a) => a.type === 'utterance-start')!;
    assert.ok(start.at >= 96 && start.at < 200, `opened at ${start.at}`);
    assert.ok(types(actions).includes('request-interim'));
    const eot = actions.find((a) => a.type === 'end-of-turn');
    assert.ok(eot && eot.type === 'end-of-turn');
    assert.equal(eot.reason, 'min-silence');
    assert.ok(eot.at - 1000 >= 500 && eot.at - 1000 < 560, `ended at ${eot.at}`);
    assert.equal(state.utterance, 'finalizing');
  });

  it('waits up to max silence (3 s) when the caller stopped on a continuation word', () => {
    const { actions } = run([...vad(0, 800, true), ...vad(800, 900, false), { type: 'interim', t: 950, text: 'I want to talk about the' }, ...vad(900, 4000, false)]);
    const eot = actions.find((a) => a.type === 'end-of-turn');
    assert.ok(eot && eot.type === 'end-of-turn');
    assert.equal(eot.reason, 'max-silence');
    assert.ok(eot.at - 800 >= 3000, `ended at ${eot.at}`);
  });

  it('ends on ticks even when no audio arrives (silence suppression)', () => {
    const { actions } = run([...vad(0, 500, true), { type: 'vad', t: 500, speech: false, echo: false }, { type: 'tick', t: 900 }, { type: 'tick', t: 1010 }]);
    assert.deepEqual(types(actions).filter((t) => t === 'end-of-turn'), ['end-of-turn']);
  });

  it('ignores a click shorter than min speech', () => {
    const { actions } = run([...vad(0, 64, true), ...vad(64, 2000, false)]);
    assert.deepEqual(actions, []);
  });

  it('responds with the final transcript; an empty final is discarded', () => {
    const base = [...vad(0, 600, true), ...vad(600, 1200, false)];
    const a = run([...base, { type: 'final', t: 1300, text: 'Hello there.' }]);
    assert.deepEqual(a.actions.at(-1), { type: 'respond', text: 'Hello there.', preempted: false, at: 1300 });
    assert.equal(a.state.agent, 'thinking');
    const b = run([...base, { type: 'final', t: 1300, text: '' }]);
    assert.equal(b.actions.at(-1)!.type, 'discard-utterance');
    assert.equal(b.state.agent, 'idle');
  });
});

describe('turn taking: preemptive generation', () => {
  it('starts generating on the pause transcript and keeps it when the final matches', () => {
    const { actions } = run([...vad(0, 600, true), ...vad(600, 700, false), { type: 'interim', t: 720, text: 'Reset my password.' }, ...vad(700, 1200, false), { type: 'final', t: 1250, text: 'reset my password' }]);
    assert.deepEqual(types(actions), ['utterance-start', 'request-interim', 'preempt', 'end-of-turn', 'respond']);
    assert.deepEqual(actions.at(-1), { type: 'respond', text: 'reset my password', preempted: true, at: 1250 });
  });

  it('throws the speculation away when the caller goes on or the final differs', () => {
    const resumed = run([...vad(0, 600, true), ...vad(600, 700, false), { type: 'interim', t: 720, text: 'Reset my password.' }, ...vad(700, 900, true)]);
    assert.deepEqual(types(resumed.actions).slice(-1), ['cancel-preempt']);
    const differs = run([...vad(0, 600, true), ...vad(600, 700, false), { type: 'interim', t: 720, text: 'Reset my password.' }, ...vad(700, 1200, false), { type: 'final', t: 1250, text: 'Reset my passport.' }]);
    assert.deepEqual(types(differs.actions).slice(-2), ['cancel-preempt', 'respond']);
    assert.equal((differs.actions.at(-1) as { preempted: boolean }).preempted, false);
  });
});

/** State after a turn was answered and the agent's audio started at t=2000. */
function agentTalking(): TurnState {
  return run([...vad(0, 600, true), ...vad(600, 1200, false), { type: 'final', t: 1300, text: 'What is my status?' }, { type: 'agent-audio', t: 2000 }]).state;
}

describe('turn taking: barge-in', () => {
  it('pauses the agent after 0.5 s of caller speech and interrupts once words are confirmed', () => {
    const { actions, state } = run([...vad(2100, 3000, true), ...vad(3000, 3600, false), { type: 'final', t: 3700, text: 'No, stop, I meant the other cluster.' }], DEFAULT_TURN_CONFIG, agentTalking());
    const pause = actions.find((a) => a.type === 'pause-agent')!;
    assert.ok(pause.at - 2100 >= 500 && pause.at - 2100 < 540, `paused at ${pause.at}`);
    assert.deepEqual(types(actions).slice(-2), ['interrupt', 'respond']);
    assert.equal(state.agent, 'thinking');
  });

  it('a backchannel shorter than the barge-in minimum never touches the agent', () => {
    const { actions, state } = run([...vad(2100, 2400, true), ...vad(2400, 3500, false)], DEFAULT_TURN_CONFIG, agentTalking());
    assert.deepEqual(types(actions), ['utterance-start', 'discard-utterance']);
    assert.equal(state.agent, 'speaking');
  });

  it('a longer backchannel ("yeah okay right") pauses, then resumes the agent', () => {
    const { actions, state } = run([...vad(2100, 2800, true), ...vad(2800, 3400, false), { type: 'final', t: 3500, text: 'Yeah, okay, right.' }], DEFAULT_TURN_CONFIG, agentTalking());
    assert.deepEqual(types(actions).filter((t) => t !== 'request-interim'), ['utterance-start', 'pause-agent', 'end-of-turn', 'discard-utterance', 'resume-agent']);
    assert.equal(state.agent, 'speaking');
  });

  it('a false interruption (speech without words) resumes the agent', () => {
    const { actions, state } = run([...vad(2100, 2800, true), ...vad(2800, 3400, false), { type: 'final', t: 3500, text: '' }], DEFAULT_TURN_CONFIG, agentTalking());
    assert.deepEqual(types(actions).slice(-2), ['discard-utterance', 'resume-agent']);
    assert.equal(state.agent, 'speaking');
  });

  it('resumes after the false-interruption timeout when no final ever comes', () => {
    const { actions, state } = run([...vad(2100, 2800, true), ...vad(2800, 5500, false)], DEFAULT_TURN_CONFIG, agentTalking());
    const resume = actions.find((a) => a.type === 'resume-agent')!;
    assert.ok(resume.at >= 3300 + 2000, `resumed at ${resume.at}`);
    assert.equal(state.agent, 'speaking');
    // A late final for the dropped utterance changes nothing.
    assert.deepEqual(turnStep(DEFAULT_TURN_CONFIG, state, { type: 'final', t: 5600, text: 'hello' }).actions, []);
  });

  it('echo of the agent (flagged by the echo gate) neither opens a turn nor interrupts', () => {
    const { actions, state } = run([...vad(2000, 6000, true, true)], DEFAULT_TURN_CONFIG, agentTalking());
    assert.deepEqual(actions, []);
    assert.equal(state.agent, 'speaking');
  });

  it('caller speech over the echo (not flagged) interrupts', () => {
    const events = [...vad(2000, 3000, true, true), ...vad(3000, 3700, true, false)];
    const { actions } = run(events, DEFAULT_TURN_CONFIG, agentTalking());
    assert.ok(types(actions).includes('pause-agent'));
  });

  it('caller speech while the reply is still being generated takes the floor at once', () => {
    const thinking = run([...vad(0, 600, true), ...vad(600, 1200, false), { type: 'final', t: 1300, text: 'Hi.' }]).state;
    const { actions } = run(vad(1400, 1600, true), DEFAULT_TURN_CONFIG, thinking);
    assert.deepEqual(types(actions), ['utterance-start', 'interrupt']);
  });

  it('the agent finishing returns it to idle', () => {
    const { state } = run([{ type: 'agent-done', t: 5000 }], DEFAULT_TURN_CONFIG, agentTalking());
    assert.equal(state.agent, 'idle');
  });
});

describe('turn taking: the silence counts from the true voice end', () => {
  it('a silence decision carrying voiceEnd starts the silence there, so the turn ends 500 ms after the voice', () => {
    // The VAD lets go at 1096, but the voice ended at 1000 (voice-end.ts walked back to it).
    const events: TurnEvent[] = [...vad(0, 1096, true), { type: 'vad', t: 1096, speech: false, echo: false, voiceEnd: 1000 }, { type: 'interim', t: 1110, text: 'Hello there.' }];
    const { state } = run(events);
    assert.equal(state.silenceStart, 1000);
    assert.equal(endpointDeadline(DEFAULT_TURN_CONFIG, state), 1500);
    const early = turnStep(DEFAULT_TURN_CONFIG, state, { type: 'tick', t: 1499 });
    assert.deepEqual(early.actions, []);
    const due = turnStep(DEFAULT_TURN_CONFIG, state, { type: 'tick', t: 1500 });
    assert.deepEqual(types(due.actions), ['end-of-turn']);
    assert.deepEqual(due.actions[0], { type: 'end-of-turn', delayMs: 500, reason: 'min-silence' });
  });

  it('a voiceEnd after the decision is ignored (never later than the VAD)', () => {
    const { state } = run([...vad(0, 600, true), { type: 'vad', t: 600, speech: false, echo: false, voiceEnd: 900 }]);
    assert.equal(state.silenceStart, 600);
  });

  it('the deadline follows the transcript: max silence after a continuation word, none once speech resumes', () => {
    const paused = run([...vad(0, 800, true), { type: 'vad', t: 800, speech: false, echo: false, voiceEnd: 760 }, { type: 'interim', t: 850, text: 'I want to talk about the' }]).state;
    assert.equal(endpointDeadline(DEFAULT_TURN_CONFIG, paused), 760 + 3000);
    const resumed = turnStep(DEFAULT_TURN_CONFIG, paused, { type: 'vad', t: 900, speech: true, echo: false }).state;
    assert.equal(endpointDeadline(DEFAULT_TURN_CONFIG, resumed), null);
    assert.equal(endpointDeadline(DEFAULT_TURN_CONFIG, initialTurnState), null);
  });

  it('over a talking agent the deadline is the backchannel gap', () => {
    const talking: TurnState = { ...initialTurnState, agent: 'speaking' };
    const { state } = run([...vad(0, 200, true), { type: 'vad', t: 200, speech: false, echo: false, voiceEnd: 170 }], DEFAULT_TURN_CONFIG, talking);
    assert.equal(endpointDeadline(DEFAULT_TURN_CONFIG, state), 170 + DEFAULT_TURN_CONFIG.backchannelGapMs);
  });
});
