import type { IncomingRefer } from '../dialog.ts';
import type { SipRequest } from './message.ts';
import { parseNameAddr } from './header-values.ts';
import { SIPFRAG_TYPE, sipfragBody } from './sipfrag.ts';

/** What an incoming REFER needs from its dialog. */
export interface IncomingReferHost {
  /** Answers the REFER's server transaction. */
  respond(status: number, reason?: string): void;
  /** Sends a NOTIFY in the dialog (our CSeq space) with these headers and body. */
  notify(headers: Record<string, string>, body: Buffer): void;
}

/**
 * A REFER from the other side (RFC 3515 §2.4.2–§2.4.5): the call accepts or refuses it. Accepting
 * answers 202 and opens the implicit subscription with `NOTIFY sipfrag "100 Trying"`; `finish`
 * sends the final NOTIFY (`Subscription-State: terminated;reason=noresource`, RFC 6665 §4.1.3).
 * Each step happens once and in order; anything else is ignored.
 */
export class EmbeddedIncomingRefer implements IncomingRefer {
  readonly target: string;
  readonly referredBy: string | undefined;
  readonly #host: IncomingReferHost;
  readonly #event: string;
  #state: 'offered' | 'accepted' | 'done' = 'offered';

  constructor(req: SipRequest, cseq: number, host: IncomingReferHost) {
    this.#host = host;
    this.target = parseNameAddr(req.headers.get('Refer-To') ?? '').uri;
    this.referredBy = req.headers.get('Referred-By');
    // §2.4.6: the NOTIFYs carry the REFER's CSeq number as the event id.
    this.#event = `refer;id=${cseq}`;
  }

  accept(): void {
    if (this.#state !== 'offered') return;
    this.#state = 'accepted';
    this.#host.respond(202, 'Accepted');
    // §2.4.4: the first NOTIFY follows the 202 at once, with the state of the referred request.
    this.#host.notify({ Event: this.#event, 'Subscription-State': 'active;expires=60', 'Content-Type': SIPFRAG_TYPE }, sipfragBody(100, 'Trying'));
  }

  reject(status: number, reason?: string): void {
    if (this.#state !== 'offered') return;
    this.#state = 'done';
    this.#host.respond(status >= 300 && status <= 699 ? status : 603, reason);
  }

  finish(status: number, reason = 'Service Unavailable'): void {
    if (this.#state !== 'accepted') return;
    this.#state = 'done';
    this.#host.notify({ Event: this.#event, 'Subscription-State': 'terminated;reason=noresource', 'Content-Type': SIPFRAG_TYPE }, sipfragBody(status, reason));
  }
}

/** §2.4.1: exactly one Refer-To, and it must parse as a name-addr/addr-spec; else 400. */
export function referToProblem(req: SipRequest): string | undefined {
  const values = req.headers.getAll('Refer-To');
  if (values.length !== 1) return values.length === 0 ? 'Bad Request - Missing Refer-To' : 'Bad Request - Multiple Refer-To';
  try {
    const uri = parseNameAddr(values[0] ?? '').uri;
    return /^(sips?|tel):/i.test(uri) ? undefined : 'Bad Request - Bad Refer-To';
  } catch {
    return 'Bad Request - Bad Refer-To';
  }
}
