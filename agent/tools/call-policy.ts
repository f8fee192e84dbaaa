import { metrics } from '../../gateway/metrics.ts';
import { NeverSay } from '../../policies/guardrails.ts';
import type { ResolvedPersona } from '../../policies/personas.ts';
import type { ToolRunner } from './tool-runner.ts';

/** Audit events of one call (gateway/audit binds them to the call id). */
export type CallAuditFn = (type: 'turn' | 'guardrail' | 'tool-call', data: Readonly<Record<string, unknown>>) => void;

/**
 * Everything an AI agent (cascade or speech-to-speech) must go through on one call, in one object on
 * its context (`AgentCallContext.policy`):
 *
 * - `persona` — instructions (context variables filled), greeting, voice, language, vocabulary, limits;
 * - `tools` — `declarations()` for the model, `run({name, argumentsJson, id})` for each tool call;
 * - `allowSpeech(text)` — before TTS (cascade) or on each output transcript (s2s): false means the
 *   text holds a phrase the persona must never say; do not play it (s2s: cancel that response);
 * - `transcript(role, text)` — each final turn, for the audit log; caller turns also reach a pending
 *   confirmation (the caller's "yes" is heard there, never the model's).
 */
export class CallPolicy {
  readonly persona: ResolvedPersona;
  readonly tools: ToolRunner;
  readonly #neverSay: NeverSay;
  readonly #audit: CallAuditFn | undefined;
  readonly #recordTranscripts: boolean;

  constructor(opts: { persona: ResolvedPersona; tools: ToolRunner; audit?: CallAuditFn; recordTranscripts?: boolean }) {
    this.persona = opts.persona;
    this.tools = opts.tools;
    this.#neverSay = new NeverSay(opts.persona.neverSay);
    this.#audit = opts.audit;
    this.#recordTranscripts = opts.recordTranscripts ?? true;
  }

  allowSpeech(text: string): boolean {
    const hit = this.#neverSay.check(text);
    if (hit < 0) return true;
    metrics.guardrailHits.inc({ kind: 'never-say' });
    this.#audit?.('guardrail', { kind: 'never-say', pattern: hit, text });
    return false;
  }

  transcript(role: 'caller' | 'agent', text: string): void {
    if (role === 'caller') this.tools.hearCaller(text);
    if (this.#recordTranscripts) this.#audit?.('turn', { role, text });
  }
}
