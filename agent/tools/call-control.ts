import { isDtmfDigit, type DtmfDigit } from '../../gateway/media/dtmf.ts';
import type { CallControl } from '../types.ts';
import type { LocalTool } from './tool-catalog.ts';

/**
 * The call-control tools any persona can be given (issue 6 §4), as declarations plus handlers bound
 * to one call's CallControl. How each is carried out (REFER and its NOTIFYs, BYE, RFC 4733) is the
 * call layer's business (gateway/call/transfer.ts); these only translate a validated tool call.
 */
export const CALL_CONTROL_SPECS = {
  transfer_call: {
    name: 'transfer_call',
    description: 'Transfer the caller to a person or department. Only the targets you were given work.',
    parameters: { type: 'object', additionalProperties: false, required: ['target'], properties: { target: { type: 'string', pattern: '^(sips?|tel):[^\\s<>"]{1,250}$' } } },
  },
  end_call: {
    name: 'end_call',
    description: 'Hang up after saying goodbye. Call it only when the caller is done.',
    parameters: { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: { type: 'string', enum: ['resolved', 'caller-request', 'other'] } } },
  },
  send_dtmf: {
    name: 'send_dtmf',
    description: "Send touch-tone digits on the line (0-9, *, #, A-D), e.g. to move through another company's phone menu.",
    parameters: { type: 'object', additionalProperties: false, required: ['digits'], properties: { digits: { type: 'string', pattern: '^[0-9*#A-D]{1,32}$' } } },
  },
} as const;

export interface CallControlIo {
  readonly control: CallControl;
  /** Resolves when the agent's audio has finished playing (the goodbye), bounded by the caller. */
  readonly untilIdle?: () => Promise<void>;
}

export function callControlTools(io: CallControlIo): LocalTool[] {
  return [
    {
      spec: CALL_CONTROL_SPECS.transfer_call,
      handler: async (args) => {
        const r = await io.control.transfer(String(args.target));
        return r.ok ? { transferred: true } : { transferred: false, reason: r.reason, ...(r.sipStatus ? { sipStatus: r.sipStatus } : {}), say: 'Apologise: the transfer did not go through; offer to help otherwise.' };
      },
    },
    {
      spec: CALL_CONTROL_SPECS.end_call,
      handler: async () => {
        await io.untilIdle?.();
        io.control.hangup('agent-hangup');
        return { ok: true };
      },
    },
    {
      spec: CALL_CONTROL_SPECS.send_dtmf,
      handler: async (args) => {
        const digits = String(args.digits).split('').filter(isDtmfDigit) as DtmfDigit[];
        await io.control.sendDtmf(digits);
        return { ok: true, sent: digits.length };
      },
    },
  ];
}
