/**
 * A SIPp INVITE flood from one address (127.0.0.2, ~2000 INVITEs at 400/s) while a legitimate trunk
 * at 127.0.0.3 keeps placing short calls: the flood is cut by the per-source token bucket (dropped,
 * counted), every legitimate call succeeds, a scanner User-Agent is dropped, and the gateway stays
 * live. Loopback only; bounded by SIPp's call counts and timeouts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, type Gateway } from './harness/gateway.ts';
import { runSipp, startSipp } from './harness/sipp.ts';
import { UdpPeer, optionsProbe, statusOf } from './harness/raw-sip.ts';

const CONFIG = {
  security: { admission: { perSource: { ratePerSec: 10, burst: 20 }, perTrunk: { ratePerSec: 200, burst: 200 } } },
  calls: { drainTimeoutSec: 1 },
  logging: { level: 'warn' },
};

describe('INVITE flood from one source beside a legitimate trunk', () => {
  let gw: Gateway;

  before(async () => {
    gw = await startGateway({ config: CONFIG });
  });

  after(async () => {
    if (gw) await gw.stop();
  });

  test('the flood is dropped at the per-source bucket; the trunk\'s 20 calls all succeed', { timeout: 90_000 }, async () => {
    const refused0 = await gw.metric('trunkline_admission_refused_total', { reason: 'source-rate' });
    const flood = await startSipp('uac-flood.xml', { target: gw.target, localIp: '127.0.0.2', calls: 2000, timeoutMs: 40_000, extraArgs: ['-r', '400', '-rp', '1000'] });
    // Let the flood get going before the legitimate calls start.
    await new Promise((r) => setTimeout(r, 500));
    const legit = await runSipp('uac-short-call.xml', { target: gw.target, localIp: '127.0.0.3', calls: 20, timeoutMs: 60_000, extraArgs: ['-r', '4', '-d', '300'] });
    const f = await flood.done;
    assert.equal(legit.exitCode, 0, `legitimate calls failed:\n${legit.describe()}\n${gw.describe()}`);
    assert.equal(legit.stats?.successful, 20, legit.describe());
    assert.ok((f.stats?.created ?? 0) >= 1500, `flood sent only ${JSON.stringify(f.stats)}`);
    const refused = (await gw.metric('trunkline_admission_refused_total', { reason: 'source-rate' })) - refused0;
    console.log(`flood: ${f.stats?.created} INVITEs from 127.0.0.2, ${refused} dropped by the per-source limit; legit ${legit.stats?.successful}/20 calls ok`);
    assert.ok(refused >= 1400, `only ${refused} flood INVITEs refused`);
    const peer = await UdpPeer.open();
    const probe = await peer.exchange(optionsProbe(peer.localPort, { host: '127.0.0.1', port: gw.sipPort }), '127.0.0.1', gw.sipPort, 2000);
    peer.close();
    assert.ok(probe.some((m) => statusOf(m) === 200), 'gateway answers OPTIONS after the flood');
  });

  test('a scanner User-Agent gets no answer at all', { timeout: 20_000 }, async () => {
    const peer = await UdpPeer.open();
    const scan = optionsProbe(peer.localPort, { host: '127.0.0.1', port: gw.sipPort }).replace('Max-Forwards: 70\r\n', 'Max-Forwards: 70\r\nUser-Agent: friendly-scanner\r\n');
    const got = await peer.exchange(scan, '127.0.0.1', gw.sipPort, 1000);
    peer.close();
    assert.deepEqual(got, []);
    assert.ok((await gw.metric('trunkline_admission_refused_total', { reason: 'scanner' })) >= 1);
  });
});
