import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  initialMenuState,
  menuPrompts,
  menuStep,
  type MenuAction,
  type MenuEvent,
  type MenuRules,
  type MenuState,
} from '../../../../agent/menu/menu-machine.ts';

const cfg: MenuRules = {
  greeting: 'HELLO',
  goodbye: 'BYE',
  invalid: 'INVALID',
  start: 'main',
  inputTimeoutSec: 5,
  maxRepeats: 2,
  menus: {
    main: {
      prompt: 'MAIN',
      options: [
        { digit: '1', say: 'ONE', then: 'repeat' },
        { digit: '2', then: { goto: 'sub' } },
        { digit: '3', say: 'LEAVING', then: 'hangup' },
        { digit: '4', say: 'TO SUB', then: { goto: 'sub' } },
        { digit: '9', then: 'hangup' },
      ],
    },
    sub: { prompt: 'SUB', options: [{ digit: '0', then: { goto: 'main' } }, { digit: '#', then: 'repeat' }] },
  },
};

/** A driver: feeds events, keeps state, and returns each step's actions in a compact form. */
function driver(rules: MenuRules = cfg) {
  let state: MenuState = Object.freeze(initialMenuState(rules));
  const send = (e: MenuEvent): string[] => {
    const step = menuStep(rules, state, e);
    state = Object.freeze(step.state); // the reducer must never mutate its input
    return step.actions.map(show);
  };
  return {
    get state() {
      return state;
    },
    send,
    start: () => send({ type: 'start' }),
    digit: (d: string) => send({ type: 'digit', digit: d }),
    done: () => send({ type: 'prompt-done', seq: state.seq }),
    timeout: () => send({ type: 'timeout' }),
  };
}
function show(a: MenuAction): string {
  switch (a.type) {
    case 'play':
      return `play ${a.promptKey} "${a.text}"`;
    case 'start-input-timer':
      return `timer ${a.sec}`;
    default:
      return a.type;
  }
}

test('start plays the greeting once, then the start menu, then waits for input', () => {
  const m = driver();
  assert.deepEqual(m.start(), ['play greeting "HELLO"']);
  assert.deepEqual(m.start(), [], 'a second start changes nothing');
  assert.deepEqual(m.done(), ['play menu:main "MAIN"']);
  assert.equal(m.state.phase, 'prompt');
  assert.deepEqual(m.done(), ['timer 5']);
  assert.equal(m.state.phase, 'waiting');
});

test('play actions carry increasing seq numbers; a stale prompt-done is ignored', () => {
  const m = driver();
  const first = menuStep(cfg, m.state, { type: 'start' }).actions[0];
  assert.deepEqual(first, { type: 'play', promptKey: 'greeting', text: 'HELLO', seq: 1 });
  m.start();
  m.done();
  const seqOfMain = m.state.seq;
  assert.equal(seqOfMain, 2);
  assert.deepEqual(m.digit('7'), ['cancel-playout', 'play invalid "INVALID"']);
  // The interrupted main prompt reports late: nothing happens.
  assert.deepEqual(m.send({ type: 'prompt-done', seq: seqOfMain }), []);
  assert.equal(m.state.phase, 'invalid');
});

test('an option with `say` plays it, then repeats the menu', () => {
  const m = driver();
  m.start(), m.done(), m.done();
  assert.deepEqual(m.digit('1'), ['cancel-input-timer', 'play option:main:1 "ONE"']);
  assert.deepEqual(m.done(), ['play menu:main "MAIN"']);
  assert.deepEqual(m.done(), ['timer 5']);
});

test('goto without `say` goes straight to the other menu; goto with `say` after it', () => {
  const m = driver();
  m.start(), m.done(), m.done();
  assert.deepEqual(m.digit('2'), ['cancel-input-timer', 'play menu:sub "SUB"']);
  assert.equal(m.state.menu, 'sub');
  m.done();
  assert.deepEqual(m.digit('0'), ['cancel-input-timer', 'play menu:main "MAIN"']);
  m.done();
  assert.deepEqual(m.digit('4'), ['cancel-input-timer', 'play option:main:4 "TO SUB"']);
  assert.deepEqual(m.done(), ['play menu:sub "SUB"']);
  assert.equal(m.state.menu, 'sub');
  m.done();
  assert.deepEqual(m.digit('#'), ['cancel-input-timer', 'play menu:sub "SUB"'], 'repeat stays in the current menu');
});

test('a digit while a prompt plays interrupts it (barge-in), also during the greeting', () => {
  const m = driver();
  m.start();
  assert.deepEqual(m.digit('2'), ['cancel-playout', 'play menu:sub "SUB"'], 'greeting interrupted, digit acts in the start menu');
  assert.deepEqual(m.digit('0'), ['cancel-playout', 'play menu:main "MAIN"'], 'menu prompt interrupted');
});

test('an invalid digit plays "invalid" then the same menu again; digits may interrupt "invalid"', () => {
  const m = driver();
  m.start(), m.done(), m.done();
  m.digit('2'), m.done(); // now waiting in sub
  assert.deepEqual(m.digit('5'), ['cancel-input-timer', 'play invalid "INVALID"']);
  assert.deepEqual(m.digit('*'), ['cancel-playout', 'play invalid "INVALID"']);
  assert.deepEqual(m.done(), ['play menu:sub "SUB"']);
  assert.deepEqual(m.digit('A'), ['cancel-playout', 'play invalid "INVALID"'], 'A–D are never menu digits');
});

test('silence re-prompts up to maxRepeats, then goodbye and hangup', () => {
  const m = driver();
  m.start(), m.done(), m.done();
  assert.deepEqual(m.timeout(), ['play menu:main "MAIN"']);
  assert.equal(m.state.repeats, 1);
  assert.deepEqual(m.done(), ['timer 5']);
  assert.deepEqual(m.timeout(), ['play menu:main "MAIN"']);
  assert.equal(m.state.repeats, 2);
  m.done();
  assert.deepEqual(m.timeout(), ['play goodbye "BYE"']);
  assert.deepEqual(m.done(), ['hangup']);
  assert.equal(m.state.phase, 'ended');
  assert.deepEqual([...m.digit('1'), ...m.timeout(), ...m.start(), ...m.done()], [], 'nothing after the end');
});

test('a digit resets the silence count', () => {
  const m = driver();
  m.start(), m.done(), m.done();
  m.timeout(), m.done(), m.timeout(), m.done();
  assert.equal(m.state.repeats, 2);
  m.digit('8'), m.done(), m.done(); // invalid, then the menu again
  assert.equal(m.state.repeats, 0);
  assert.deepEqual(m.timeout(), ['play menu:main "MAIN"'], 'a full set of re-prompts again');
});

test('maxRepeats 0: the first silence ends the call', () => {
  const m = driver({ ...cfg, maxRepeats: 0 });
  m.start(), m.done(), m.done();
  assert.deepEqual(m.timeout(), ['play goodbye "BYE"']);
});

test('timeouts outside "waiting" are stale and ignored', () => {
  const m = driver();
  assert.deepEqual(m.timeout(), []);
  m.start();
  assert.deepEqual(m.timeout(), []);
  m.done();
  assert.deepEqual(m.timeout(), [], 'still playing the menu prompt');
  assert.equal(m.state.phase, 'prompt');
});

test('the hangup option plays the goodbye, then hangs up; with `say`, the say comes first', () => {
  const m = driver();
  m.start(), m.done(), m.done();
  assert.deepEqual(m.digit('9'), ['cancel-input-timer', 'play goodbye "BYE"']);
  assert.deepEqual(m.digit('1'), [], 'the goodbye is not interruptible');
  assert.deepEqual(m.done(), ['hangup']);

  const n = driver();
  n.start(), n.done(), n.done();
  assert.deepEqual(n.digit('3'), ['cancel-input-timer', 'play option:main:3 "LEAVING"']);
  assert.deepEqual(n.done(), ['play goodbye "BYE"']);
  assert.deepEqual(n.done(), ['hangup']);
});

test('a digit during an option announcement applies its `then` first, then the digit', () => {
  const m = driver();
  m.start(), m.done(), m.done();
  m.digit('4'); // "TO SUB", then goto sub
  assert.deepEqual(m.digit('0'), ['cancel-playout', 'play menu:main "MAIN"'], '0 acted in sub');
  m.done();
  m.digit('1'); // "ONE", then repeat main
  assert.deepEqual(m.digit('2'), ['cancel-playout', 'play menu:sub "SUB"'], '2 acted in main');
  m.digit('0'), m.done();
  m.digit('3'); // "LEAVING", then hang up
  assert.deepEqual(m.digit('1'), ['cancel-playout', 'play goodbye "BYE"']);
  assert.deepEqual(m.done(), ['hangup']);
});

test('menuPrompts lists every prompt once with its key', () => {
  const prompts = menuPrompts(cfg);
  assert.deepEqual(
    prompts.map((p) => p.key),
    ['greeting', 'goodbye', 'invalid', 'fallback-apology', 'menu:main', 'option:main:1', 'option:main:3', 'option:main:4', 'menu:sub'],
  );
  assert.equal(prompts.find((p) => p.key === 'option:main:4')?.text, 'TO SUB');
  assert.equal(prompts.find((p) => p.key === 'fallback-apology')?.text, 'Sorry, our assistant is not available right now.', 'the default apology');
  assert.equal(menuPrompts({ ...cfg, fallbackApology: 'OOPS' }).find((p) => p.key === 'fallback-apology')?.text, 'OOPS');
});

test('after a failed AI agent: the apology, then the greeting, then the menu', () => {
  const m = driver({ ...cfg, fallbackApology: 'OOPS' });
  assert.deepEqual(m.send({ type: 'start', apology: true }), ['play fallback-apology "OOPS"']);
  assert.equal(m.state.phase, 'apology');
  assert.deepEqual(m.send({ type: 'start', apology: true }), [], 'a second start changes nothing');
  assert.deepEqual(m.done(), ['play greeting "HELLO"']);
  assert.deepEqual(m.done(), ['play menu:main "MAIN"']);
  assert.deepEqual(m.done(), ['timer 5']);
});

test('a digit during the apology interrupts it and acts in the start menu', () => {
  const m = driver();
  m.send({ type: 'start', apology: true });
  assert.deepEqual(m.digit('2'), ['cancel-playout', 'play menu:sub "SUB"']);
});
