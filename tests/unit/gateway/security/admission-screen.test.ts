import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../../config/load.ts';
import type { Config } from '../../../../config/types.ts';
import { CallRegistry } from '../../../../gateway/call/call-registry.ts';
import { ConfigError } from '../../../../gateway/errors.ts';
import { parseMessage } from '../../../../gateway/sip/embedded/parser.ts';
import type { SipRequest } from '../../../../gateway/sip/embedded/message.ts';
import { createAdmissionScreen } from '../../../../gateway/security/admission-screen.ts';

function config(auth: Config['security']['auth']['trunks']): Config {
  const base = loadConfig({ env: {} });
  return { ...base, trunks: [{ name: 'carrier', allowedCidrs: ['192.0.2.0/24'] }], security: { ...base.security, auth: { ...base.security.auth, trunks: auth } } };
}

const invite = parseMessage(Buffer.from(
  'INVITE sip:100@gw SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:100@gw>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n',
)) as SipRequest;

test('credentials come from the named environment variables; a missing one or an unknown trunk is a ConfigError', () => {
  const auth = [{ trunk: 'carrier', usernameEnv: 'U', passwordEnv: 'P' }];
  const trunkFor = (a: string) => (a.startsWith('192.0.2.') ? 'carrier' : undefined);
  assert.throws(() => createAdmissionScreen(config(auth), { U: 'u' }, new CallRegistry(), trunkFor), (e) => e instanceof ConfigError && /passwordEnv/.test(e.keyPath));
  assert.throws(() => createAdmissionScreen(config([{ ...auth[0]!, trunk: 'nope' }]), { U: 'u', P: 'p' }, new CallRegistry(), trunkFor), (e) => e instanceof ConfigError && /trunk$/.test(e.keyPath));
  const screen = createAdmissionScreen(config(auth), { U: 'u', P: 'p' }, new CallRegistry(), trunkFor);
  const r = screen(invite, { address: '192.0.2.1', port: 5060, transport: 'udp' });
  assert.ok(r.action === 'reply' && r.status === 401);
  const other = screen(invite, { address: '198.51.100.1', port: 5060, transport: 'udp' });
  assert.ok(other.action === 'reply' && other.status === 403, 'a source of no trunk gets the uniform 403');
});
