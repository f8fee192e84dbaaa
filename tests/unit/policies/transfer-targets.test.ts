import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAllowedTarget } from '../../../policies/transfer-targets.ts';

const ALLOWED = ['sip:operator@pbx.example.com', 'sip:*@desk.example.com', 'sip:+1555*@carrier.example.net:5060', 'tel:+15550100'];

test('allowlist: exact, case-insensitive, and * within one URI part', () => {
  const cases: Array<[string, boolean]> = [
    ['sip:operator@pbx.example.com', true],
    ['SIP:Operator@PBX.example.com', true],
    ['sip:operator@pbx.example.com.evil', false],
    ['sip:sales@desk.example.com', true],
    ['sip:@desk.example.com', true],
    ['sip:a@evil.example;x=@desk.example.com', false],
    ['sip:a@b@desk.example.com', false],
    ['sip:+15551234@carrier.example.net:5060', true],
    ['sip:+15551234@carrier.example.net:5061', false],
    ['sip:operator@pbx.example.com;transport=tcp', false],
    ['sip:operator@pbx.example.com?Replaces=abc', false],
    ['<sip:operator@pbx.example.com>', false],
    ['sip:operator@pbx.example.com ', true],
    ['sip:oper ator@pbx.example.com', false],
    ['tel:+15550100', true],
    ['https://pbx.example.com', false],
    ['', false],
    [`sip:${'a'.repeat(300)}@desk.example.com`, false],
  ];
  for (const [target, ok] of cases) assert.equal(isAllowedTarget(target, ALLOWED), ok, target);
});

test('an empty allowlist allows nothing; regex characters in entries are literal', () => {
  assert.equal(isAllowedTarget('sip:operator@pbx.example.com', []), false);
  assert.equal(isAllowedTarget('sip:operatorXpbx', ['sip:operator.pbx']), false);
  assert.equal(isAllowedTarget('sip:operator.pbx', ['sip:operator.pbx']), true);
});
