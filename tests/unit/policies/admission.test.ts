import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdmissionPolicy, type AdmissionInput } from '../../../policies/admission.ts';
import { digestResponse, parseAuthorization } from '../../../policies/digest.ts';
import { loadConfig } from '../../../config/load.ts';
import type { SecurityConfig } from '../../../config/types.ts';

const base = loadConfig({ env: {} }).security;
function security(over: Partial<{ [K in keyof SecurityConfig]: Partial<SecurityConfig[K]> }> = {}): SecurityConfig {
  return {
    ...base,
    admission: { ...base.admission, ...over.admission },
    auth: { ...base.auth, ...over.auth },
  } as SecurityConfig;
}

function invite(over: Partial<AdmissionInput> = {}): AdmissionInput {
  return { method: 'INVITE', source: '192.0.2.1', userAgent: 'Carrier SBC', trunk: 'carrier', authorization: [], uri: 'sip:100@gw', ...over };
}

function policy(sec: SecurityConfig, calls = { total: 0, trunk: 0 }, creds = new Map<string, { username: string; password: string }>()) {
  return new AdmissionPolicy({ security: sec, maxConcurrent: 10, credentials: creds, activeCalls: () => calls });
}

test('scanner user agents are dropped whatever the method', () => {
  const p = policy(security());
  for (const ua of ['friendly-scanner', 'SIPVicious 0.3', 'sipcli/v1.8']) {
    assert.deepEqual(p.decide(invite({ userAgent: ua }), 0), { action: 'drop', reason: 'scanner' });
    assert.deepEqual(p.decide(invite({ method: 'OPTIONS', userAgent: ua }), 0), { action: 'drop', reason: 'scanner' });
  }
  assert.equal(p.decide(invite(), 0).action, 'pass');
});

test('per-source rate: drop by default, 503 with Retry-After when configured', () => {
  const sec = security({ admission: { perSource: { ratePerSec: 1, burst: 2 } } });
  const p = policy(sec);
  assert.equal(p.decide(invite(), 0).action, 'pass');
  assert.equal(p.decide(invite(), 0).action, 'pass');
  assert.deepEqual(p.decide(invite(), 0), { action: 'drop', reason: 'source-rate' });
  assert.equal(p.decide(invite({ source: '192.0.2.2' }), 0).action, 'pass', 'another source has its own bucket');
  const r = policy(security({ admission: { perSource: { ratePerSec: 1, burst: 1 }, overRate: 'reply' } }));
  r.decide(invite(), 0);
  const over = r.decide(invite(), 0);
  assert.equal(over.action, 'reply');
  assert.ok(over.action === 'reply' && over.status === 503 && over.headers['Retry-After'] === '1');
});

test('per-trunk rate counts INVITEs of every source of the trunk', () => {
  const p = policy(security({ admission: { perTrunk: { ratePerSec: 1, burst: 2 } } }));
  assert.equal(p.decide(invite({ source: 'a' }), 0).action, 'pass');
  assert.equal(p.decide(invite({ source: 'b' }), 0).action, 'pass');
  assert.deepEqual(p.decide(invite({ source: 'c' }), 0), { action: 'drop', reason: 'trunk-rate' });
  assert.equal(p.decide(invite({ source: 'c', method: 'OPTIONS' }), 0).action, 'pass', 'only INVITEs count against a trunk');
});

test('no trunk: the same 403 whatever number is dialled (no enumeration)', () => {
  const p = policy(security());
  const a = p.decide(invite({ trunk: undefined, uri: 'sip:100@gw' }), 0);
  const b = p.decide(invite({ trunk: undefined, uri: 'sip:999999@gw' }), 0);
  assert.deepEqual(a, b);
  assert.ok(a.action === 'reply' && a.status === 403);
});

test('concurrent-call limits: global and per trunk answer 503 with Retry-After', () => {
  const full = policy(security(), { total: 10, trunk: 1 }).decide(invite(), 0);
  assert.ok(full.action === 'reply' && full.status === 503 && full.reason === 'capacity' && full.headers['Retry-After'] === '5');
  const trunkFull = policy(security({ admission: { maxConcurrentPerTrunk: 2 } }), { total: 3, trunk: 2 }).decide(invite(), 0);
  assert.ok(trunkFull.action === 'reply' && trunkFull.reason === 'trunk-capacity');
  assert.equal(policy(security({ admission: { maxConcurrentPerTrunk: 2 } }), { total: 3, trunk: 1 }).decide(invite(), 0).action, 'pass');
});

/** Answers a 401 like a UAC would (RFC 8760: picks the first algorithm it supports). */
function answer(challengeHeaders: readonly string[], alg: 'SHA-256' | 'MD5', password: string, uri = 'sip:100@gw'): string {
  const ch = challengeHeaders.map((h) => parseAuthorization(h)!).find((c) => c.params['algorithm'] === alg)!;
  const nonce = ch.params['nonce']!;
  const response = digestResponse(alg, { username: 'carrier', password, realm: 'trunkline', method: 'INVITE', uri, nonce, nc: '00000001', cnonce: 'abc' });
  return `Digest username="carrier", realm="trunkline", nonce="${nonce}", uri="${uri}", algorithm=${alg}, qop=auth, nc=00000001, cnonce="abc", response="${response}"`;
}

function challenged(r: ReturnType<AdmissionPolicy['decide']>): string[] {
  assert.ok(r.action === 'reply' && r.status === 401, JSON.stringify(r));
  const v = r.headers['WWW-Authenticate'];
  return Array.isArray(v) ? v : [String(v)];
}

test('digest: challenge with SHA-256 then MD5; right answers pass once; a replay fails', () => {
  const creds = new Map([['carrier', { username: 'carrier', password: 's3cret' }]]);
  const p = policy(security(), { total: 0, trunk: 0 }, creds);
  const ch = challenged(p.decide(invite(), 0));
  assert.equal(ch.length, 2);
  assert.match(ch[0]!, /algorithm=SHA-256/);
  assert.match(ch[1]!, /algorithm=MD5/);
  for (const alg of ['SHA-256', 'MD5'] as const) {
    const auth = answer(challenged(p.decide(invite(), 0)), alg, 's3cret');
    assert.equal(p.decide(invite({ authorization: [auth] }), 1).action, 'pass', alg);
    const replay = p.decide(invite({ authorization: [auth] }), 2);
    assert.ok(replay.action === 'reply' && replay.reason === 'auth-failed', 'replayed nonce refused');
  }
});

test('digest: an expired nonce gets a stale challenge; a different URI fails', () => {
  const creds = new Map([['carrier', { username: 'carrier', password: 's3cret' }]]);
  const p = policy(security({ auth: { nonceTtlSec: 5 } }), { total: 0, trunk: 0 }, creds);
  const auth = answer(challenged(p.decide(invite(), 0)), 'SHA-256', 's3cret');
  const stale = p.decide(invite({ authorization: [auth] }), 6000);
  assert.ok(stale.action === 'reply' && stale.reason === 'auth-stale');
  assert.match(challenged(stale)[0]!, /stale=true/);
  const other = answer(challenged(p.decide(invite(), 7000)), 'SHA-256', 's3cret', 'sip:200@gw');
  const r = p.decide(invite({ authorization: [other] }), 7001);
  assert.ok(r.action === 'reply' && r.reason === 'auth-failed');
});

test('digest brute force: locked out after maxFailures, then dropped even with the right password', () => {
  const creds = new Map([['carrier', { username: 'carrier', password: 's3cret' }]]);
  const p = policy(security({ auth: { maxFailures: 3, lockoutSec: 60 } }), { total: 0, trunk: 0 }, creds);
  const results: string[] = [];
  for (let i = 0; i < 3; i++) {
    const auth = answer(challenged(p.decide(invite(), i)), 'MD5', `guess${i}`);
    const r = p.decide(invite({ authorization: [auth] }), i);
    results.push(r.action === 'pass' ? 'pass' : r.reason);
  }
  assert.deepEqual(results, ['auth-failed', 'auth-failed', 'locked-out']);
  assert.deepEqual(p.decide(invite(), 10), { action: 'drop', reason: 'locked-out' });
  assert.equal(p.decide(invite({ source: '192.0.2.99' }), 10).action, 'reply', 'only the offending source is locked');
  assert.equal(challenged(p.decide(invite(), 61_000)).length, 2, 'the lock expires');
});
