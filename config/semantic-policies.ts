import type { Config } from './types.ts';
import type { ConfigIssue } from './validate.ts';

/** Tools every persona may be given without declaring them: the call-control tools (SIP REFER, BYE, RFC 4733). */
export const CALL_CONTROL_TOOLS: readonly string[] = ['transfer_call', 'end_call', 'send_dtmf'];

/**
 * Relations in the routing, personas and tools sections: personas that routes name exist, tools a
 * persona lists are declared, patterns compile, tool names are unique and webhook-less tools are
 * call-control ones.
 */
export function policyIssues(cfg: Config): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const personas = Object.keys(cfg.personas);
  const r = cfg.routing;
  const checkRule = (rule: { persona?: string }, path: (string | number)[]): void => {
    if (rule.persona !== undefined && !Object.hasOwn(cfg.personas, rule.persona)) {
      out.push({ path: [...path, 'persona'], problem: `"${rule.persona}" is not a persona`, fix: `use one of: ${personas.join(', ') || '(none: add a personas: section)'}` });
    }
  };
  checkRule(r.default, ['routing', 'default']);
  if (r.default.persona === undefined && !Object.hasOwn(cfg.personas, 'default')) {
    out.push({ path: ['personas'], problem: 'there is no persona named "default" and routing.default.persona is not set', fix: 'add personas.default or set routing.default.persona' });
  }
  for (const [name, rule] of Object.entries(r.trunks)) {
    checkRule(rule, ['routing', 'trunks', name]);
    if (!cfg.trunks.some((t) => t.name === name)) out.push({ path: ['routing', 'trunks', name], problem: `"${name}" is not a trunk in trunks`, fix: `use one of: ${cfg.trunks.map((t) => t.name).join(', ')}` });
  }
  for (const [num, rule] of Object.entries(r.numbers)) checkRule(rule, ['routing', 'numbers', num]);
  r.headerRules.forEach((rule, i) => {
    checkRule(rule, ['routing', 'headerRules', i]);
    if (!compiles(rule.match.pattern)) out.push({ path: ['routing', 'headerRules', i, 'match', 'pattern'], problem: 'is not a valid regular expression', fix: 'write a JavaScript regular expression, e.g. ^billing$' });
  });

  const declared = new Set<string>();
  cfg.tools.declarations.forEach((t, i) => {
    if (declared.has(t.name)) out.push({ path: ['tools', 'declarations', i, 'name'], problem: `"${t.name}" is declared twice`, fix: 'give each tool its own name' });
    declared.add(t.name);
    if (!t.webhook && !CALL_CONTROL_TOOLS.includes(t.name)) out.push({ path: ['tools', 'declarations', i], problem: `tool "${t.name}" has no webhook`, fix: 'add webhook: { url: https://… }' });
  });
  for (const [name, p] of Object.entries(cfg.personas)) {
    p.tools.forEach((tool, i) => {
      if (!declared.has(tool) && !CALL_CONTROL_TOOLS.includes(tool)) out.push({ path: ['personas', name, 'tools', i], problem: `"${tool}" is not a declared tool`, fix: `declare it in tools.declarations or use one of: ${[...declared, ...CALL_CONTROL_TOOLS].join(', ')}` });
    });
    p.neverSay.forEach((re, i) => {
      if (!compiles(re)) out.push({ path: ['personas', name, 'neverSay', i], problem: 'is not a valid regular expression', fix: 'write a JavaScript regular expression' });
    });
  }
  return out;
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'i');
    return true;
  } catch {
    return false;
  }
}
