/**
 * The production path against REAL servers. Runs only when the environment points at them (CI has
 * none; see deploy/README.md to run them):
 *   DRACHTIO_HOST, DRACHTIO_PORT (9022), DRACHTIO_SECRET, DRACHTIO_SIP_PORT (5060)   — drachtio-server
 *   FREESWITCH_HOST, FREESWITCH_PORT (8021), FREESWITCH_SECRET                        — FreeSWITCH with
 *     the drachtio_mrf profile, the mrf dialplan and mod_audio_fork (deploy/freeswitch/)
 * SIPp calls drachtio-server; the gateway is connected to it in connect mode.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, type Gateway } from './harness/gateway.ts';
import { runSipp } from './harness/sipp.ts';
import { eventually } from './harness/eventually.ts';

const env = process.env;
const drachtio = env['DRACHTIO_HOST'];
const freeswitch = env['FREESWITCH_HOST'];
const sipTarget = `${drachtio ?? '127.0.0.1'}:${env['DRACHTIO_SIP_PORT'] ?? '5060'}`;
const signaling = { backend: 'drachtio', drachtio: { host: drachtio ?? '127.0.0.1', port: Number(env['DRACHTIO_PORT'] ?? 9022), secretEnv: 'DRACHTIO_SECRET' } };

describe('drachtio-server signaling (real server)', { skip: drachtio ? false : 'DRACHTIO_HOST not set' }, () => {
  let gw: Gateway;
  before(async () => {
    gw = await startGateway({ config: { signaling } });
  });
  after(async () => {
    await gw?.stop();
  });

  test('OPTIONS answered 200 by the gateway through drachtio-server', { timeout: 30_000 }, async () => {
    const r = await runSipp('uac-options.xml', { target: sipTarget, timeoutMs: 10_000 });
    assert.equal(r.exitCode, 0, `${r.describe()}\n${gw.describe()}`);
  });

  test('PCMA call over embedded RTP media: answered, greeting sent, caller BYE ends it', { timeout: 60_000 }, async () => {
    const hangups0 = await gw.metric('trunkline_calls_total', { result: 'caller-hangup' });
    const r = await runSipp('uac-pcma-audio.xml', { target: sipTarget, timeoutMs: 40_000 });
    assert.equal(r.exitCode, 0, `${r.describe()}\n${gw.describe()}`);
    const hangups = await eventually(() => gw.metric('trunkline_calls_total', { result: 'caller-hangup' }), (v) => v >= hangups0 + 1);
    assert.equal(hangups, hangups0 + 1, gw.describe());
    assert.ok((await gw.metric('trunkline_rtp_packets_sent_total')) >= 100);
  });
});

describe('FreeSWITCH media over mod_audio_fork (real servers)', { skip: drachtio && freeswitch ? false : 'DRACHTIO_HOST and FREESWITCH_HOST not set' }, () => {
  let gw: Gateway;
  before(async () => {
    gw = await startGateway({
      config: {
        signaling,
        media: {
          backend: 'freeswitch',
          freeswitch: {
            servers: [{ address: freeswitch ?? '127.0.0.1', port: Number(env['FREESWITCH_PORT'] ?? 8021), secretEnv: 'FREESWITCH_SECRET' }],
            listenAddress: '127.0.0.1',
            fork: { bind: '127.0.0.1', port: 0, sampleRate: 16000, streaming: env['FORK_STREAMING'] !== 'false' },
          },
        },
      },
    });
  });
  after(async () => {
    await gw?.stop();
  });

  test('PCMA call: FreeSWITCH forks the caller audio to us, the greeting goes back, BYE destroys the endpoint', { timeout: 60_000 }, async () => {
    const started0 = await gw.metric('trunkline_stream_connections_total', { leg: 'fork', result: 'started' });
    const hangups0 = await gw.metric('trunkline_calls_total', { result: 'caller-hangup' });
    const r = await runSipp('uac-pcma-audio.xml', { target: sipTarget, timeoutMs: 40_000 });
    assert.equal(r.exitCode, 0, `${r.describe()}\n${gw.describe()}`);
    assert.equal((await gw.metric('trunkline_stream_connections_total', { leg: 'fork', result: 'started' })) - started0, 1, gw.describe());
    const hangups = await eventually(() => gw.metric('trunkline_calls_total', { result: 'caller-hangup' }), (v) => v >= hangups0 + 1);
    assert.equal(hangups, hangups0 + 1, gw.describe());
    assert.equal(await gw.metric('trunkline_freeswitch_servers', { health: 'up' }), 1);
  });
});
