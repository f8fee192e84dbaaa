/**
 * The production path against REAL servers. Runs only when the environment points at them (CI has
 * none; see deploy/README.md to run them):
 *   DRACHTIO_HOST, DRACHTIO_PORT (9022), DRACHTIO_SECRET, DRACHTIO_SIP_PORT (5060)   — drachtio-server
 *   FREESWITCH_HOST, FREESWITCH_PORT (8021), FREESWITCH_SECRET                        — FreeSWITCH with
 *     the drachtio_mrf profile, the mrf dialplan and mod_audio_fork (deploy/freeswitch/)
 *   FORK_STREAMING=false — only the file mode (playAudio → ep.play) instead of both modes
 * SIPp and baresip call drachtio-server; the gateway is connected to it in connect mode.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Baresip } from './harness/baresip.ts';
import { startGateway, type Gateway } from './harness/gateway.ts';
import { runSipp } from './harness/sipp.ts';
import { eventually, sleep } from './harness/eventually.ts';
import { readWav, speechEnergy } from './harness/wav.ts';

const env = process.env;
const drachtio = env['DRACHTIO_HOST'];
const freeswitch = env['FREESWITCH_HOST'];
const sipTarget = `${drachtio ?? '127.0.0.1'}:${env['DRACHTIO_SIP_PORT'] ?? '5060'}`;
const signaling = { backend: 'drachtio', drachtio: { host: drachtio ?? '127.0.0.1', port: Number(env['DRACHTIO_PORT'] ?? 9022), secretEnv: 'DRACHTIO_SECRET' } };
const modes = env['FORK_STREAMING'] === 'false' ? [false] : [true, false];

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

for (const streaming of modes) {
  describe(`FreeSWITCH media over mod_audio_fork, ${streaming ? 'streaming' : 'file'} mode (real servers)`, { skip: drachtio && freeswitch ? false : 'DRACHTIO_HOST and FREESWITCH_HOST not set' }, () => {
    let gw: Gateway;
    const forks = (): Promise<number> => gw.metric('trunkline_stream_connections_total', { leg: 'fork', result: 'started' });
    const calls = (result: string): Promise<number> => gw.metric('trunkline_calls_total', { result });
    before(async () => {
      gw = await startGateway({
        config: {
          signaling,
          calls: { drainTimeoutSec: 2 },
          codecs: ['G722', 'opus', 'PCMU', 'PCMA'],
          media: {
            backend: 'freeswitch',
            freeswitch: {
              servers: [{ address: freeswitch ?? '127.0.0.1', port: Number(env['FREESWITCH_PORT'] ?? 8021), secretEnv: 'FREESWITCH_SECRET' }],
              listenAddress: '127.0.0.1',
              fork: { bind: '127.0.0.1', port: 0, sampleRate: 16000, streaming },
            },
          },
        },
      });
    });
    after(async () => {
      await gw?.stop();
    });

    test('PCMA call: FreeSWITCH forks the caller audio to us, the greeting goes back, BYE destroys the endpoint', { timeout: 60_000 }, async () => {
      const [started0, hangups0] = await Promise.all([forks(), calls('caller-hangup')]);
      const r = await runSipp('uac-pcma-audio.xml', { target: sipTarget, timeoutMs: 40_000 });
      assert.equal(r.exitCode, 0, `${r.describe()}\n${gw.describe()}`);
      assert.equal((await forks()) - started0, 1, gw.describe());
      const hangups = await eventually(() => calls('caller-hangup'), (v) => v >= hangups0 + 1);
      assert.equal(hangups, hangups0 + 1, gw.describe());
      assert.equal(await gw.metric('trunkline_freeswitch_servers', { health: 'up' }), 1);
    });

    test('baresip (PCMU) hears the spoken greeting through FreeSWITCH, then hangs up', { timeout: 60_000 }, async (t) => {
      const hangups0 = await calls('caller-hangup');
      const b = await Baresip.start({ codecs: ['PCMU'], timeoutMs: 40_000 });
      try {
        b.dial(`sip:trunkline@${sipTarget}`);
        await b.waitFor(/Call established/, 15_000);
        await sleep(9000);
        b.hangup();
        await b.waitFor(/terminated/, 5000);
      } finally {
        await b.quit();
      }
      const wav = b.receivedWav();
      assert.ok(wav, `baresip recorded nothing (${b.dir})\n${gw.describe()}`);
      const e = speechEnergy(readWav(wav));
      t.diagnostic(`heard (${streaming ? 'streaming' : 'file'} mode): ${JSON.stringify(e)}`);
      assert.ok(e.durationSec >= 7, `received only ${e.durationSec} s of audio: ${JSON.stringify(e)}`);
      assert.ok(e.speechSec >= 1.5, `too little speech energy: ${JSON.stringify(e)} (${wav})\n${gw.describe()}`);
      assert.ok(e.firstSpeechSec !== null && e.firstSpeechSec < 4, `greeting started late: ${JSON.stringify(e)}`);
      assert.equal(await eventually(() => calls('caller-hangup'), (v) => v >= hangups0 + 1), hangups0 + 1, gw.describe());
    });

    // Once (streaming mode) keeps the file bounded in time; the codec is negotiated before any fork.
    if (streaming) test('wideband callers (G.722, opus) are answered through FreeSWITCH and hear the greeting', { timeout: 60_000 }, async (t) => {
      // baresip names codecs as name/PCM rate/channels; the gateway prefers them over G.711 here.
      for (const account of ['G722/16000/1', 'opus/48000/2']) {
        const b = await Baresip.start({ codecs: [account], timeoutMs: 25_000 });
        try {
          b.dial(`sip:trunkline@${sipTarget}`);
          await b.waitFor(/Call established/, 15_000);
          await sleep(5000);
          b.hangup();
          await b.waitFor(/terminated/, 5000);
        } finally {
          await b.quit();
        }
        const wav = b.receivedWav();
        assert.ok(wav, `${account}: baresip recorded nothing\n${b.log().slice(-1500)}\n${gw.describe()}`);
        const e = speechEnergy(readWav(wav));
        t.diagnostic(`${account} heard: ${JSON.stringify(e)}`);
        assert.ok(e.speechSec >= 1.5 && e.firstSpeechSec !== null && e.firstSpeechSec < 4, `${account}: ${JSON.stringify(e)}`);
      }
    });

    test('pressing 9 (RFC 4733 via FreeSWITCH) makes the gateway say goodbye and hang up through drachtio', { timeout: 60_000 }, async () => {
      const [agentHangups0, digits0] = await Promise.all([calls('agent-hangup'), gw.metric('trunkline_dtmf_digits_total', { source: 'freeswitch' })]);
      const b = await Baresip.start({ codecs: ['PCMU'], timeoutMs: 40_000 });
      try {
        b.dial(`sip:trunkline@${sipTarget}`);
        await b.waitFor(/Call established/, 15_000);
        await sleep(2000);
        b.sendDigits('9');
        // No /hangup from our side: the call must end by the gateway's BYE.
        await b.waitFor(/terminated/, 25_000);
      } finally {
        await b.quit();
      }
      assert.doesNotMatch(b.log(), /\/hangup/, 'the caller hung up by itself');
      assert.equal(await eventually(() => calls('agent-hangup'), (v) => v >= agentHangups0 + 1), agentHangups0 + 1, gw.describe());
      assert.equal((await gw.metric('trunkline_dtmf_digits_total', { source: 'freeswitch' })) - digits0, 1, gw.describe());
    });
  });
}
