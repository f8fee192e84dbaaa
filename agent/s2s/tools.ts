import { isDtmfDigit, type DtmfDigit } from '../../gateway/media/dtmf.ts';
import type { ToolSpec } from '../../policies/tool-validation.ts';
import type { AgentCallContext } from '../types.ts';

/** A tool the model may call: its JSON Schema (validated before anything runs) and what it does. */
export interface S2sTool extends ToolSpec {
  /** Runs with arguments that passed validation; resolves with the output the model reads (JSON text). */
  execute(args: Record<string, unknown>, ctx: AgentCallContext): Promise<string>;
}

/** How long `end_call` lets the goodbye play before hanging up (bounded: the model may keep talking). */
const GOODBYE_WAIT_MS = 8000;

async function untilPlayoutIdle(ctx: AgentCallContext, maxMs: number): Promise<void> {
  const until = Date.now() + maxMs;
  while (!ctx.leg.output.idle && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
}

/** Tools every speech-to-speech agent can be given by name in `agent.s2s.tools`. */
export const BUILTIN_TOOLS: Readonly<Record<string, S2sTool>> = {
  end_call: {
    name: 'end_call',
    description: 'Hang up the call after saying goodbye. Call it only when the caller is done.',
    parameters: {
      type: 'object',
      properties: { reason: { type: 'string', enum: ['resolved', 'caller-request', 'other'] } },
      required: ['reason'],
      additionalProperties: false,
    },
    destructive: false,
    async execute(_args, ctx) {
      await untilPlayoutIdle(ctx, GOODBYE_WAIT_MS);
      ctx.control.hangup('agent-hangup');
      return JSON.stringify({ ok: true });
    },
  },
  send_dtmf: {
    name: 'send_dtmf',
    description: "Send touch-tone digits to the caller's line (0-9, *, #, A-D).",
    parameters: {
      type: 'object',
      properties: { digits: { type: 'string', pattern: '^[0-9*#A-D]{1,32}$' } },
      required: ['digits'],
      additionalProperties: false,
    },
    async execute(args, ctx) {
      const digits = String(args.digits).split('').filter(isDtmfDigit) as DtmfDigit[];
      await ctx.control.sendDtmf(digits);
      return JSON.stringify({ ok: true, sent: digits.length });
    },
  },
};
