import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialMenuState, menuPrompts, menuStep, type MenuAction, type MenuEvent, type MenuRules, type MenuState } from '../../../../agent/menu/menu-machine.ts';

const cfg: MenuRules = {
  greeting: 'HELLO',
  goodbye: 'BYE',
  invalid: 'INVALID',
  transferFailed: 'SORRY',
  start: 'main',
  inputTimeoutSec: 5,
  maxRepeats: 2,
  menus: {
    main: {
      prompt: 'MAIN',
      options: [
        { digit: '0', say: 'CONNECTING', then: { transfer: 'sip:operator@pbx.example.com' } },
        { digit: '8', then: { transfer: 'sip:sales@pbx.example.com' } },
        { digit: '9', then: 'hangup' },
      ],
    },
  },
};

function driver(rules: MenuRules = cfg) {
  let state: MenuState = Object.freeze(initialMenuState(rules));
  const send = (e: MenuEvent): string[] => {
    const step = menuStep(rules, state, e);
    state = Object.freeze(step.state);
    return step.actions.map(show);
  };
  return {
    get state() {
      return state;
    },
    send,
    digit: (d: string) => send({ type: 'digit', digit: d }),
    done: () => send({ type: 'prompt-done', seq: state.seq }),
    waiting() {
      send({ type: 'start' });
      send({ type: 'prompt-done', seq: state.seq });
      send({ type: 'prompt-done', seq: state.seq });
      assert.equal(state.phase, 'waiting');
    },
  };
}

function show(a: MenuAction): string {
  if (a.type === 'play') return `play ${a.promptKey} "${a.text}"`;
  if (a.type === 'transfer') return `transfer ${a.target}`;
  if (a.type === 'start-input-timer') return `timer ${a.sec}`;
  return a.type;
}

test('option with say: announce, then transfer; digits and timeouts do nothing while it runs', () => {
  const m = driver();
  m.waiting();
  assert.deepEqual(m.digit('0'), ['cancel-input-timer', 'play option:main:0 "CONNECTING"']);
  assert.deepEqual(m.done(), ['transfer sip:operator@pbx.example.com']);
  assert.equal(m.state.phase, 'transferring');
  assert.deepEqual(m.digit('9'), []);
  assert.deepEqual(m.send({ type: 'timeout' }), []);
  assert.deepEqual(m.done(), [], 'no prompt is playing');
});

test('transfer succeeded: the menu ends without a goodbye (the call is gone)', () => {
  const m = driver();
  m.waiting();
  assert.deepEqual(m.digit('8'), ['cancel-input-timer', 'transfer sip:sales@pbx.example.com']);
  assert.deepEqual(m.send({ type: 'transfer-done', ok: true }), []);
  assert.equal(m.state.phase, 'ended');
});

test('transfer failed: apology, then the same menu again, and its digits work', () => {
  const m = driver();
  m.waiting();
  m.digit('8');
  assert.deepEqual(m.send({ type: 'transfer-done', ok: false }), ['play transfer-failed "SORRY"']);
  assert.equal(m.state.phase, 'transfer-failed');
  assert.deepEqual(m.done(), ['play menu:main "MAIN"']);
  assert.deepEqual(m.done(), ['timer 5']);
  assert.deepEqual(m.digit('9'), ['cancel-input-timer', 'play goodbye "BYE"']);
});

test('a digit during the apology barges in like in any prompt', () => {
  const m = driver();
  m.waiting();
  m.digit('8');
  m.send({ type: 'transfer-done', ok: false });
  assert.deepEqual(m.digit('9'), ['cancel-playout', 'play goodbye "BYE"']);
});

test('cutting the announcement short transfers at once', () => {
  const m = driver();
  m.waiting();
  m.digit('0');
  assert.deepEqual(m.digit('5'), ['cancel-playout', 'transfer sip:operator@pbx.example.com']);
});

test('transfer-done outside a transfer is ignored; the apology is pre-synthesised only when a menu transfers', () => {
  const m = driver();
  m.waiting();
  assert.deepEqual(m.send({ type: 'transfer-done', ok: false }), []);
  assert.ok(menuPrompts(cfg).some((p) => p.key === 'transfer-failed' && p.text === 'SORRY'));
  const noTransfer: MenuRules = { ...cfg, menus: { main: { prompt: 'MAIN', options: [{ digit: '9', then: 'hangup' }] } } };
  assert.ok(!menuPrompts(noTransfer).some((p) => p.key === 'transfer-failed'));
});
