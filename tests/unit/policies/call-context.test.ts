import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contextVariables, decodeUui, variableName } from '../../../policies/call-context.ts';
import { fillTemplate, resolvePersona, type PersonaSpec } from '../../../policies/personas.ts';

const persona: PersonaSpec = {
  instructions: 'Caller account {{x_account}}, intent {{ x_intent }}, from IVR: {{uui}}. Forwarded by {{diversion}}. Unknown: [{{nothing}}].',
  greeting: 'Hello {{name}}',
  language: 'en-US',
  vocabulary: [],
  tools: [],
  neverSay: [],
  variables: { name: 'there', x_intent: 'unknown' },
  limits: { maxToolCalls: 3 },
};

test('allow-listed headers from an IVR transfer become persona variables', () => {
  const headers = {
    'user-to-user': '0041434d452d3132333435;encoding=hex;purpose=isdn-uui',
    'x-account': 'ACME-12345',
    'x-intent': 'billing',
    diversion: '<sip:+15551230000@ivr.example.com>;reason=unconditional',
    'p-asserted-identity': '<sip:+15550000@carrier>',
  };
  const vars = contextVariables(headers);
  assert.deepEqual(vars, { uui: 'ACME-12345', x_account: 'ACME-12345', x_intent: 'billing', diversion: '<sip:+15551230000@ivr.example.com>;reason=unconditional' });
  const p = resolvePersona('support', persona, vars);
  assert.equal(p.instructions, 'Caller account ACME-12345, intent billing, from IVR: ACME-12345. Forwarded by <sip:+15551230000@ivr.example.com>;reason=unconditional. Unknown: [].');
  assert.equal(p.greeting, 'Hello there');
  assert.equal(p.name, 'support');
  assert.equal(p.variables.x_intent, 'billing', 'context overrides the persona default');
});

test('the allowlist is honoured, values are bounded and stripped of control characters', () => {
  const vars = contextVariables({ 'x-a': 'one\r\ntwo', 'x-long': 'y'.repeat(1000), diversion: 'd' }, ['x-a', 'x-long']);
  assert.deepEqual(Object.keys(vars).sort(), ['x_a', 'x_long']);
  assert.equal(vars.x_a, 'one  two');
  assert.equal(vars.x_long?.length, 256);
});

test('a header value holding template syntax stays literal (no second expansion)', () => {
  const p = resolvePersona('p', { ...persona, instructions: 'Note: {{x_note}}' }, contextVariables({ 'x-note': '{{x_secret}}' }));
  assert.equal(p.instructions, 'Note: {{x_secret}}');
  assert.equal(fillTemplate('{{a}}{{b}}', { a: '{{b}}', b: 'B' }), '{{b}}B');
});

test('UUI decoding (RFC 7433): hex text, non-hex kept, binary kept as sent', () => {
  assert.equal(decodeUui('48656c6c6f;encoding=hex'), 'Hello');
  assert.equal(decodeUui('plain-text;encoding=ascii'), 'plain-text');
  assert.equal(decodeUui('ff00ff'), 'ff00ff');
  assert.equal(variableName('X-Customer-ID'), 'x_customer_id');
  assert.equal(variableName('History-Info'), 'history_info');
});
