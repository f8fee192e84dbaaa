/**
 * A real softphone (baresip) calls the running gateway with the default configuration, listens,
 * records what it hears and hangs up, or presses 9 and is hung up on.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Baresip } from './harness/baresip.ts';
import { startGateway, type Gateway } from './harness/gateway.ts';
import { eventually, sleep } from './harness/eventually.ts';
import { readWav, speechEnergy } from './harness/wav.ts';

const CONFIG = { calls: { drainTimeoutSec: 2 } };

describe('baresip callers', () => {
  let gw: Gateway;

  before(async () => {
    gw = await startGateway({ config: CONFIG });
  });

  after(async () => {
    if (!gw) return;
    const running = gw.isRunning();
    const exit = await gw.stop();
    assert.ok(running, `gateway died during the tests: ${JSON.stringify(exit)}\n${gw.describe()}`);
  });

  const calls = (result: string): Promise<number> => gw.metric('trunkline_calls_total', { result });

  for (const codec of ['PCMU', 'PCMA'] as const) {
    test(`${codec}: the caller hears the spoken greeting, then hangs up`, { timeout: 45_000 }, async (t) => {
      const hangups0 = await calls('caller-hangup');
      const b = await Baresip.start({ codecs: [codec], timeoutMs: 35_000 });
      try {
        b.dial(gw.uri());
        await b.waitFor(/Call established/, 10_000);
        await sleep(9000);
        b.hangup();
        await b.waitFor(/terminated/, 5000);
      } finally {
        await b.quit();
      }
      assert.match(b.log(), new RegExp(`Set audio decoder: ${codec} 8000Hz`), `codec not ${codec}:\n${b.log().slice(-2000)}`);
      const wav = b.receivedWav();
      assert.ok(wav, `baresip recorded nothing (${b.dir})\n${gw.describe()}`);
      const e = speechEnergy(readWav(wav));
      t.diagnostic(`${codec} heard: ${JSON.stringify(e)}`);
      // 9 s of call at 20 ms packets; the greeting alone is several seconds of speech.
      assert.ok(e.durationSec >= 7, `received only ${e.durationSec} s of audio: ${JSON.stringify(e)}`);
      assert.ok(e.speechSec >= 1.5, `too little speech energy: ${JSON.stringify(e)} (${wav})`);
      assert.ok(e.firstSpeechSec !== null && e.firstSpeechSec < 3, `greeting started late: ${JSON.stringify(e)}`);
      assert.equal(await eventually(() => calls('caller-hangup'), (v) => v >= hangups0 + 1), hangups0 + 1, gw.describe());
    });
  }

  test('pressing 9 makes the gateway say goodbye and hang up', { timeout: 45_000 }, async () => {
    const [agentHangups0, digits0] = await Promise.all([calls('agent-hangup'), gw.metric('trunkline_dtmf_digits_total')]);
    const b = await Baresip.start({ codecs: ['PCMU'], timeoutMs: 35_000 });
    try {
      b.dial(gw.uri());
      await b.waitFor(/Call established/, 10_000);
      await sleep(2000);
      b.sendDigits('9');
      // No /hangup from our side: the call must end by the gateway's BYE.
      await b.waitFor(/terminated/, 20_000);
    } finally {
      await b.quit();
    }
    assert.doesNotMatch(b.log(), /\/hangup/, 'the caller hung up by itself');
    assert.equal(await eventually(() => calls('agent-hangup'), (v) => v >= agentHangups0 + 1), agentHangups0 + 1, gw.describe());
    assert.equal((await gw.metric('trunkline_dtmf_digits_total')) - digits0, 1);
  });
});
