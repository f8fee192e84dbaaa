import type { Termination } from './sip/termination.ts';

/** Errors that classify themselves: callers branch on fields, never on message text (design §4.8). */
export class TrunklineError extends Error {
  override readonly name: string = 'TrunklineError';
}

/** A SIP-level failure that maps to a response status. */
export class SipError extends TrunklineError {
  override readonly name: string = 'SipError';
  constructor(
    readonly sipStatus: number,
    message: string,
    readonly termination: Termination = 'error',
  ) {
    super(message);
  }
}

/** A configuration mistake: names the key path and the fix. Stops start-up. */
export class ConfigError extends TrunklineError {
  override readonly name = 'ConfigError';
  constructor(
    readonly keyPath: string,
    readonly problem: string,
    readonly fix?: string,
  ) {
    super(`config ${keyPath || '(root)'}: ${problem}${fix ? ` — ${fix}` : ''}`);
  }
}

/** A remote provider failed (TTS, STT, LLM, S2S). `retryable` tells whether to try again or fall back. */
export class ProviderError extends TrunklineError {
  override readonly name = 'ProviderError';
  constructor(
    readonly provider: string,
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Media resources could not be had (no free RTP port, bind failure). */
export class MediaError extends TrunklineError {
  override readonly name = 'MediaError';
  constructor(
    message: string,
    readonly sipStatus = 503,
  ) {
    super(message);
  }
}
