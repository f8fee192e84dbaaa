/**
 * What the embedded UAS says it can do (RFC 3261 §20.5 Allow, §20.37 Supported, §11.2 OPTIONS answer).
 * One list, used by OPTIONS, by 405 responses and by the Allow header of our 2xx, so they never disagree.
 */
export const ALLOWED_METHODS = ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'INFO', 'UPDATE', 'REFER', 'NOTIFY'] as const;

/** Methods we know but never accept (answered 405 with Allow, §21.4.6). */
export const REFUSED_METHODS = ['REGISTER', 'SUBSCRIBE', 'PUBLISH', 'MESSAGE', 'PRACK'] as const;

export const ALLOW = ALLOWED_METHODS.join(', ');
/** No option tags: we do not do 100rel or timers; an empty Supported is valid (§20.37). */
export const SUPPORTED = '';
export const USER_AGENT = 'Trunkline';

export function isKnownMethod(method: string): boolean {
  return (ALLOWED_METHODS as readonly string[]).includes(method) || (REFUSED_METHODS as readonly string[]).includes(method);
}

/** Headers of a 200 to OPTIONS (§11.2). */
export function optionsHeaders(): Record<string, string> {
  return {
    Allow: ALLOW,
    Accept: 'application/sdp',
    'Accept-Encoding': 'identity',
    'Accept-Language': 'en',
    Supported: SUPPORTED,
  };
}
