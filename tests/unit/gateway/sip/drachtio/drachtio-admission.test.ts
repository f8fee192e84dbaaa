import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../../../config/load.ts';
import type { Config } from '../../../../../config/types.ts';
import { CallRegistry } from '../../../../../gateway/call/call-registry.ts';
import { ConfigError } from '../../../../../gateway/errors.ts';
import { silentLogger } from '../../../../../gateway/log.ts';
import { createAdmission } from '../../../../../gateway/security/admission-screen.ts';
import { drachtioOptions } from '../../../../../gateway/sip/drachtio/drachtio-options.ts';
import { DrachtioSignaling } from '../../../../../gateway/sip/drachtio/drachtio-signaling.ts';
import type { SrfRequest } from '../../../../../gateway/sip/drachtio/drachtio-wire.ts';
import { FakeRes, FakeSrf, fakeReq } from './fake-srf.ts';

/** A small per-source bucket (burst 3, no refill to speak of) so the fourth INVITE is over the rate. */
function config(overRate: 'drop' | 'reply'): Config {
  const base = loadConfig({ env: {} });
  const admission = { ...base.security.admission, perSource: { ratePerSec: 0.001, burst: 3 }, overRate };
  return { ...base, security: { ...base.security, admission } };
}

async function setup(overRate: 'drop' | 'reply'): Promise<{ srf: FakeSrf; invites: unknown[]; send: (req: SrfRequest) => FakeRes; options: (req: SrfRequest) => FakeRes }> {
  const srf = new FakeSrf();
  const trunkFor = (a: string): string | undefined => (a === '127.0.0.1' ? 'lab' : undefined);
  const admit = createAdmission(config(overRate), {}, new CallRegistry());
  const sig = new DrachtioSignaling({ host: '127.0.0.1', port: 9022, secret: 's', user: 'trunkline', trunkFor, log: silentLogger, srf, admit });
  await sig.start();
  const invites: unknown[] = [];
  sig.on('invite', (d) => invites.push(d));
  const send = (req: SrfRequest): FakeRes => {
    const res = new FakeRes();
    srf.inviteFn!(req, res);
    return res;
  };
  const options = (req: SrfRequest): FakeRes => {
    const res = new FakeRes();
    srf.optionsFn!(Object.assign(req, { method: 'OPTIONS' }), res);
    return res;
  };
  return { srf, invites, send, options };
}

function from(address: string, headers: Record<string, string> = {}): SrfRequest {
  return Object.assign(fakeReq(headers), { source_address: address });
}

test('a normal INVITE passes; a scanner User-Agent is dropped without any answer', async () => {
  const { invites, send } = await setup('drop');
  const ok = send(from('127.0.0.1', { 'User-Agent': 'Carrier SBC 1.0' }));
  assert.equal(invites.length, 1, 'the INVITE reached the call layer');
  assert.deepEqual(ok.sent, []);
  const scan = send(from('127.0.0.1', { 'User-Agent': 'friendly-scanner' }));
  assert.equal(invites.length, 1, 'the scanner INVITE did not');
  assert.deepEqual(scan.sent, [], 'drop: drachtio-server already sent 100 Trying; we send nothing');
});

test('OPTIONS are screened too: a scanner probe gets no answer, a normal one 200', async () => {
  const { options } = await setup('drop');
  assert.deepEqual(options(from('127.0.0.1', { 'User-Agent': 'sipsak 0.9.7' })).sent, [], 'non-INVITE drops stay silent (no 100 Trying was sent)');
  const ok = options(from('127.0.0.1', { 'User-Agent': 'Carrier SBC 1.0' }));
  assert.equal(ok.sent[0]?.status, 200);
});

test('over the per-source rate: dropped, or 503 with Retry-After when configured to reply', async () => {
  const dropping = await setup('drop');
  for (let i = 0; i < 3; i++) dropping.send(from('127.0.0.1'));
  assert.equal(dropping.invites.length, 3);
  const over = dropping.send(from('127.0.0.1'));
  assert.equal(dropping.invites.length, 3, 'the fourth INVITE from the source was refused');
  assert.deepEqual(over.sent, []);

  const replying = await setup('reply');
  for (let i = 0; i < 3; i++) replying.send(from('127.0.0.1'));
  const res = replying.send(from('127.0.0.1'));
  assert.equal(replying.invites.length, 3);
  assert.equal(res.sent[0]?.status, 503);
  const opts = res.sent[0]?.opts;
  assert.ok(typeof opts === 'object' && Number(opts.headers?.['Retry-After']) > 0);
});

test('a source of no trunk gets the uniform 403; digest auth config is refused on this backend', async () => {
  const { invites, send } = await setup('drop');
  const res = send(from('192.0.2.9'));
  assert.equal(invites.length, 0);
  assert.equal(res.sent[0]?.status, 403);
  const base = loadConfig({ env: {} });
  const withAuth: Config = { ...base, security: { ...base.security, auth: { ...base.security.auth, trunks: [{ trunk: 'x', usernameEnv: 'U', passwordEnv: 'P' }] } } };
  assert.throws(() => drachtioOptions(withAuth, { [base.signaling.drachtio.secretEnv]: 's' }, () => undefined, silentLogger), (e) => e instanceof ConfigError && e.keyPath === 'security.auth.trunks');
});
