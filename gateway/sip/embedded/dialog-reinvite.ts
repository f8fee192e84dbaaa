import type { ReInvite } from '../dialog.ts';

/**
 * A re-INVITE or UPDATE waiting for the call's answer (RFC 3261 §14.2, RFC 3311 §5.2). The dialog
 * supplies what accepting and rejecting mean; this object only guarantees that exactly one final
 * answer is given — later calls are ignored, so a late `reject` after `accept` cannot send a second final.
 */
export class PendingReInvite implements ReInvite {
  #answered = false;

  constructor(
    readonly sdp: string | undefined,
    private readonly onAccept: (sdp: string) => void,
    private readonly onReject: (status: number, reason?: string) => void,
  ) {}

  get answered(): boolean {
    return this.#answered;
  }

  accept(sdp: string): void {
    if (this.#answered) return;
    this.#answered = true;
    this.onAccept(sdp);
  }

  reject(status: number, reason?: string): void {
    if (this.#answered) return;
    this.#answered = true;
    // Only final error statuses make sense here; anything else becomes a 500.
    this.onReject(status >= 300 && status <= 699 ? status : 500, reason);
  }
}
