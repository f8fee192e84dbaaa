import type { SecurityConfig } from '../config/types.ts';
import { AuthLockout } from './auth-lockout.ts';
import { algorithmOf, challenge, parseAuthorization, verifyDigest, type DigestAlgorithm } from './digest.ts';
import { DigestNonces } from './digest-nonces.ts';
import { TokenBuckets } from './token-bucket.ts';

/**
 * Admission of out-of-dialog requests (Kamailio sanity/pike, Asterisk security events): decides,
 * before any dialog or call exists, whether a request is dropped in silence, answered with an error,
 * challenged for digest credentials (RFC 8760), or passed on. Checks in order, cheapest and least
 * revealing first:
 *
 *   scanner User-Agent → drop      locked-out source → drop      per-source rate → drop | 503
 *   (non-INVITE → pass)            no trunk for the source → 403  per-trunk rate → drop | 503
 *   digest (trunks that need it) → 401 / lockout                   concurrent calls → 503 Retry-After
 *
 * Nothing here looks at the dialed number: an unknown number and a known one get the same answer at
 * this stage, so numbers cannot be enumerated (routing must keep that promise: UNIFORM_REJECT).
 * State (buckets, nonces, failures) is bounded; time comes in as `nowMs`.
 */
export interface AdmissionInput {
  readonly method: string;
  readonly source: string;
  readonly userAgent: string | undefined;
  readonly trunk: string | undefined;
  /** Authorization header values (RFC 3261 §22.4). */
  readonly authorization: readonly string[];
  /** The Request-URI, which the digest-uri must name. */
  readonly uri: string;
}

export type AdmissionReason = 'scanner' | 'locked-out' | 'source-rate' | 'no-trunk' | 'trunk-rate' | 'auth-required' | 'auth-failed' | 'auth-stale' | 'capacity' | 'trunk-capacity';

export type Admission =
  | { readonly action: 'pass' }
  | { readonly action: 'drop'; readonly reason: AdmissionReason }
  | { readonly action: 'reply'; readonly reason: AdmissionReason; readonly status: number; readonly headers: Readonly<Record<string, string | string[]>> };

/** The one refusal for calls we will not take whoever or whatever they dial (RFC 3261 §21.4.4). */
export const UNIFORM_REJECT = { status: 403, reason: 'Forbidden' } as const;

export interface TrunkCredentials {
  readonly username: string;
  readonly password: string;
}

export interface AdmissionOptions {
  readonly security: SecurityConfig;
  readonly maxConcurrent: number;
  /** Credentials of the trunks that must authenticate, by trunk name (read from the environment by the caller). */
  readonly credentials: ReadonlyMap<string, TrunkCredentials>;
  /** Calls in progress, overall and from one trunk. */
  readonly activeCalls: (trunk: string) => { readonly total: number; readonly trunk: number };
}

export class AdmissionPolicy {
  readonly #o: AdmissionOptions;
  readonly #scanners: readonly string[];
  readonly #perSource: TokenBuckets;
  readonly #perTrunk: TokenBuckets;
  readonly #nonces: DigestNonces;
  readonly #lockout: AuthLockout;

  constructor(opts: AdmissionOptions) {
    this.#o = opts;
    const s = opts.security;
    this.#scanners = s.admission.scannerUserAgents.map((u) => u.toLowerCase());
    this.#perSource = new TokenBuckets(s.admission.perSource);
    this.#perTrunk = new TokenBuckets(s.admission.perTrunk, 1000);
    this.#nonces = new DigestNonces(s.auth.nonceTtlSec);
    this.#lockout = new AuthLockout({ maxFailures: s.auth.maxFailures, windowMs: s.auth.failureWindowSec * 1000, lockoutMs: s.auth.lockoutSec * 1000 });
  }

  decide(req: AdmissionInput, nowMs: number): Admission {
    const ua = req.userAgent?.toLowerCase();
    if (ua !== undefined && this.#scanners.some((s) => ua.includes(s))) return drop('scanner');
    if (this.#lockout.isLocked(req.source, nowMs)) return drop('locked-out');
    if (!this.#perSource.take(req.source, nowMs)) return this.#overRate('source-rate', this.#perSource.retryAfterSec(req.source, nowMs));
    if (req.method !== 'INVITE') return PASS;
    if (req.trunk === undefined) return reply('no-trunk', UNIFORM_REJECT.status);
    if (!this.#perTrunk.take(req.trunk, nowMs)) return this.#overRate('trunk-rate', this.#perTrunk.retryAfterSec(req.trunk, nowMs));
    const creds = this.#o.credentials.get(req.trunk);
    if (creds !== undefined) {
      const auth = this.#authenticate(req, creds, nowMs);
      if (auth !== undefined) return auth;
    }
    const active = this.#o.activeCalls(req.trunk);
    const retry = { 'Retry-After': String(this.#o.security.admission.retryAfterSec) };
    if (active.total >= this.#o.maxConcurrent) return reply('capacity', 503, retry);
    const perTrunk = this.#o.security.admission.maxConcurrentPerTrunk;
    if (perTrunk > 0 && active.trunk >= perTrunk) return reply('trunk-capacity', 503, retry);
    return PASS;
  }

  /** undefined when the credentials are good; otherwise the challenge or the drop. */
  #authenticate(req: AdmissionInput, creds: TrunkCredentials, nowMs: number): Admission | undefined {
    const { realm } = this.#o.security.auth;
    const offered = this.#o.security.auth.algorithms;
    const ours = req.authorization.map(parseAuthorization).find((c) => c !== undefined && c.params['realm'] === realm);
    if (ours === undefined) return this.#challenge('auth-required', nowMs, false);
    const alg = algorithmOf(ours);
    const nonce = ours.params['nonce'] ?? '';
    const good = alg !== undefined && offered.includes(alg) && ours.params['uri'] === req.uri
      && verifyDigest(ours, { method: req.method, username: creds.username, password: creds.password, realm });
    if (!good) {
      if (this.#lockout.fail(req.source, nowMs)) return drop('locked-out');
      return this.#challenge('auth-failed', nowMs, false);
    }
    // Right password: the nonce decides. A stale one is retried with a fresh nonce (RFC 7616 §3.3
    // stale=true), a replayed one is a failure (someone resent captured credentials).
    const verdict = this.#nonces.consume(nonce, nowMs);
    if (verdict === 'ok') {
      this.#lockout.succeed(req.source);
      return undefined;
    }
    if (verdict === 'stale') return this.#challenge('auth-stale', nowMs, true);
    if (this.#lockout.fail(req.source, nowMs)) return drop('locked-out');
    return this.#challenge('auth-failed', nowMs, false);
  }

  /** 401 with one challenge per algorithm, preferred first (RFC 8760 §2.4). */
  #challenge(reason: AdmissionReason, nowMs: number, stale: boolean): Admission {
    const { realm, algorithms } = this.#o.security.auth;
    const values = algorithms.map((a: DigestAlgorithm) => challenge(a, realm, this.#nonces.issue(nowMs), stale));
    return reply(reason, 401, { 'WWW-Authenticate': values });
  }

  #overRate(reason: AdmissionReason, retryAfterSec: number): Admission {
    if (this.#o.security.admission.overRate === 'drop') return drop(reason);
    return reply(reason, 503, { 'Retry-After': String(retryAfterSec) });
  }
}

const PASS: Admission = { action: 'pass' };

function drop(reason: AdmissionReason): Admission {
  return { action: 'drop', reason };
}

function reply(reason: AdmissionReason, status: number, headers: Readonly<Record<string, string | string[]>> = {}): Admission {
  return { action: 'reply', reason, status, headers };
}
