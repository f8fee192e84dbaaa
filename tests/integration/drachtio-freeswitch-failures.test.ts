/**
 * Issue 7 "bad input" on the production path against REAL servers: admission through drachtio-server,
 * and drachtio-server or FreeSWITCH going away mid-call. Skips without the servers (CI has none):
 *   DRACHTIO_HOST, DRACHTIO_PORT (9022), DRACHTIO_SECRET, DRACHTIO_SIP_PORT (5060)  — admission suite
 * The chaos suite kills the servers (SIGKILL) and starts them again, so it also needs
 *   TRUNKLINE_REAL_SERVER_CHAOS=1, FREESWITCH_HOST, FREESWITCH_PORT (8021), FREESWITCH_SECRET,
 *   FREESWITCH_PIDFILE + FREESWITCH_START (a script that runs FreeSWITCH in the foreground),
 *   DRACHTIO_PIDFILE + DRACHTIO_START (a script that starts drachtio-server and returns)
 * Results and timings of the first runs: /work/notes/prod-run.md, "Failure behaviour".
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, type Gateway } from './harness/gateway.ts';
import { eventually, sleep } from './harness/eventually.ts';
import { UdpPeer, ackNon2xx, statusOf } from './harness/raw-sip.ts';
import { RtpCaller } from './harness/rtp-caller.ts';
import { loadConfig } from '../../config/load.ts';
import type { Config } from '../../config/types.ts';
import { CallRegistry } from '../../gateway/call/call-registry.ts';
import { silentLogger } from '../../gateway/log.ts';
import { createAdmission } from '../../gateway/security/admission-screen.ts';
import { DrachtioSignaling } from '../../gateway/sip/drachtio/drachtio-signaling.ts';
import { unansweredCount } from '../../gateway/sip/drachtio/drachtio-pending.ts';

const env = process.env;
const drachtio = env['DRACHTIO_HOST'];
const freeswitch = env['FREESWITCH_HOST'];
const sip = { host: drachtio ?? '127.0.0.1', port: Number(env['DRACHTIO_SIP_PORT'] ?? 5060) };
const signaling = { backend: 'drachtio', drachtio: { host: drachtio ?? '127.0.0.1', port: Number(env['DRACHTIO_PORT'] ?? 9022), secretEnv: 'DRACHTIO_SECRET' } };
const chaosVars = ['FREESWITCH_HOST', 'FREESWITCH_SECRET', 'FREESWITCH_PIDFILE', 'FREESWITCH_START', 'DRACHTIO_HOST', 'DRACHTIO_PIDFILE', 'DRACHTIO_START'];
const chaosSkip = env['TRUNKLINE_REAL_SERVER_CHAOS'] !== '1' ? 'TRUNKLINE_REAL_SERVER_CHAOS not 1' : chaosVars.filter((v) => !env[v]).map((v) => `${v} not set`)[0] ?? false;

/** An INVITE as raw bytes (PCMU offer), its Call-ID and the User-Agent given. */
function invite(localPort: number, userAgent: string): { bytes: Buffer; callId: string } {
  const b = randomBytes(6).toString('hex');
  const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';
  const callId = `${b}@127.0.0.1`;
  const text =
    `INVITE sip:trunkline@${sip.host}:${sip.port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${localPort};rport;branch=z9hG4bK${b}\r\n` +
    `Max-Forwards: 70\r\nFrom: <sip:caller@127.0.0.1>;tag=${b}\r\nTo: <sip:trunkline@${sip.host}>\r\nCall-ID: ${callId}\r\nCSeq: 1 INVITE\r\n` +
    `Contact: <sip:caller@127.0.0.1:${localPort}>\r\nUser-Agent: ${userAgent}\r\nContent-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`;
  return { bytes: Buffer.from(text, 'latin1'), callId };
}

function header(msg: string, name: string): string | undefined {
  return new RegExp(`^${name}\\s*:\\s*(.*)$`, 'im').exec(msg.split('\r\n\r\n', 1)[0] ?? '')?.[1]?.trim();
}

/** Sends INVITEs and collects every response for `waitMs`, by Call-ID (final responses are ACKed). */
async function responses(peer: UdpPeer, invites: { bytes: Buffer; callId: string }[], waitMs: number, untilFinals = invites.length): Promise<Map<string, string[]>> {
  const got = new Map<string, string[]>(invites.map((i) => [i.callId, []]));
  let finals = 0;
  peer.drain();
  for (const i of invites) await peer.send(i.bytes, sip.host, sip.port);
  const deadline = Date.now() + waitMs;
  while (finals < untilFinals && Date.now() < deadline) {
    for (const m of await peer.collect(Math.min(250, deadline - Date.now()))) {
      const st = statusOf(m);
      const req = invites.find((i) => i.callId === header(m, 'Call-ID'));
      if (st === null || !req) continue;
      got.get(req.callId)!.push(m);
      if (st >= 200 && got.get(req.callId)!.filter((r) => (statusOf(r) ?? 0) >= 200).length === 1) {
        finals++;
        await ackNon2xx(peer, m, req.bytes, sip);
      }
    }
  }
  return got;
}

const statuses = (got: Map<string, string[]>): number[][] => [...got.values()].map((rs) => rs.map((r) => statusOf(r) ?? 0));

describe('admission through drachtio-server (real server)', { skip: drachtio ? false : 'DRACHTIO_HOST not set' }, () => {
  let gw: Gateway;
  before(async () => {
    gw = await startGateway({
      config: {
        signaling,
        // 127.0.0.1 is no trunk's: INVITEs under the rate get the uniform 403, so no call is set up.
        trunks: [{ name: 'carrier', allowedCidrs: ['192.0.2.0/24'] }],
        security: { admission: { perSource: { ratePerSec: 1, burst: 5 }, overRate: 'drop' } },
      },
    });
  });
  after(async () => {
    await gw?.stop();
  });

  // 'sipsak' is on our scanner list but not on drachtio-server's own <spammers> list (deploy/drachtio).
  test('a scanner INVITE gets only drachtio-server\'s 100 Trying, a scanner OPTIONS nothing at all', { timeout: 30_000 }, async () => {
    const peer = await UdpPeer.open();
    try {
      const scanners0 = await gw.metric('trunkline_admission_refused_total', { reason: 'scanner', action: 'drop' });
      const inv = invite(peer.localPort, 'sipsak 0.9.7');
      const got = statuses(await responses(peer, [inv], 3000));
      assert.deepEqual(got, [[100]], 'drachtio-server answers 100 Trying before the app sees the INVITE; nothing follows');
      const probe = Buffer.from(inv.bytes.toString('latin1').replace(/INVITE/g, 'OPTIONS').replace(/Content-Type[\s\S]*$/, 'Content-Length: 0\r\n\r\n').replace(/branch=z9hG4bK\w+/, `branch=z9hG4bK${randomBytes(6).toString('hex')}`), 'latin1');
      assert.deepEqual(await peer.exchange(probe, sip.host, sip.port, 2000), [], 'the scanner OPTIONS was answered');
      assert.equal((await gw.metric('trunkline_admission_refused_total', { reason: 'scanner', action: 'drop' })) - scanners0, 2, gw.describe());
    } finally {
      peer.close();
    }
  });

  test('a flood over the per-source rate: the first INVITEs are answered (403, no trunk), the rest dropped after 100 Trying', { timeout: 30_000 }, async () => {
    const peer = await UdpPeer.open();
    try {
      const over0 = await gw.metric('trunkline_admission_refused_total', { reason: 'source-rate', action: 'drop' });
      const flood = Array.from({ length: 30 }, () => invite(peer.localPort, 'Carrier SBC 1.0'));
      // Wait the whole window: the dropped ones must stay unanswered (no 408/500 from drachtio-server either).
      const got = statuses(await responses(peer, flood, 4000, Infinity));
      assert.ok(got.every((s) => s[0] === 100), `every INVITE got drachtio-server's 100 Trying: ${JSON.stringify(got)}`);
      const answered = got.filter((s) => s.length > 1);
      assert.ok(answered.length >= 5 && answered.length <= 8, `under the rate: ${JSON.stringify(got)}`);
      assert.ok(answered.every((s) => s[1] === 403), JSON.stringify(got));
      assert.equal((await gw.metric('trunkline_admission_refused_total', { reason: 'source-rate', action: 'drop' })) - over0, 30 - answered.length, gw.describe());
      assert.ok(gw.isRunning());
    } finally {
      peer.close();
    }
  });
});

describe('dropped INVITEs are not kept by drachtio-srf (real server, in process)', { skip: drachtio ? false : 'DRACHTIO_HOST not set' }, () => {
  let sig: DrachtioSignaling;
  let refused = 0;
  before(async () => {
    const base = loadConfig({ env: {} });
    const config: Config = { ...base, security: { ...base.security, admission: { ...base.security.admission, perSource: { ratePerSec: 1, burst: 5 }, overRate: 'drop' } } };
    const admit = createAdmission(config, {}, new CallRegistry());
    sig = new DrachtioSignaling({
      host: signaling.drachtio.host,
      port: signaling.drachtio.port,
      secret: env['DRACHTIO_SECRET'] ?? '',
      user: 'trunkline',
      trunkFor: () => undefined,
      log: silentLogger,
      admit: (input) => {
        const v = admit(input);
        if (v.action === 'drop') refused++;
        return v;
      },
    });
    await sig.start();
  });
  after(async () => {
    await sig?.close();
  });

  test('after a flood of dropped and scanner INVITEs drachtio-srf holds none of them', { timeout: 30_000 }, async () => {
    const peer = await UdpPeer.open();
    try {
      const flood = [...Array.from({ length: 20 }, () => invite(peer.localPort, 'Carrier SBC 1.0')), ...Array.from({ length: 5 }, () => invite(peer.localPort, 'sipsak 0.9.7'))];
      await responses(peer, flood, 3000, Infinity);
      assert.ok(refused >= 17, `only ${refused} INVITEs dropped`);
      // The srf app's agent (drachtio-srf 5: srf._app.client) is where the unanswered INVITEs were kept.
      const agent = (sig.srf as unknown as { _app?: { client?: unknown } })._app?.client;
      assert.ok(agent, 'drachtio-srf agent not found');
      assert.equal(unansweredCount(agent), 0, `${unansweredCount(agent)} dropped INVITEs still held by drachtio-srf`);
    } finally {
      peer.close();
    }
  });
});

/** One `api` command on FreeSWITCH's event socket (inbound mode); the reply body. */
function eslApi(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.createConnection({ host: freeswitch ?? '127.0.0.1', port: Number(env['FREESWITCH_PORT'] ?? 8021) });
    let buf = '';
    let stage: 'auth' | 'reply' | 'api' = 'auth';
    const timer = setTimeout(() => (sock.destroy(), reject(new Error('event socket timed out'))), 5000);
    sock.on('error', (e) => (clearTimeout(timer), reject(e)));
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      if (stage === 'auth' && buf.includes('auth/request\n\n')) {
        buf = '';
        stage = 'reply';
        sock.write(`auth ${env['FREESWITCH_SECRET']}\n\n`);
      } else if (stage === 'reply' && buf.includes('\n\n')) {
        if (!buf.includes('+OK')) return reject(new Error('event socket auth failed'));
        buf = '';
        stage = 'api';
        sock.write(`api ${command}\n\n`);
      } else if (stage === 'api') {
        const len = Number(/Content-Length: (\d+)/.exec(buf)?.[1] ?? NaN);
        const body = buf.indexOf('\n\n');
        if (body >= 0 && Buffer.byteLength(buf.slice(body + 2), 'latin1') >= len) {
          clearTimeout(timer);
          sock.end();
          resolve(buf.slice(body + 2, body + 2 + len));
        }
      }
    });
  });
}

const fsChannels = async (): Promise<number> => Number(/^(\d+) total/m.exec(await eslApi('show channels count'))?.[1] ?? NaN);

function kill9(pidFile: string): void {
  process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGKILL');
}

function startDetached(script: string): void {
  spawn(script, [], { detached: true, stdio: 'ignore' }).unref();
}

/** A real call through drachtio-server to the gateway (FreeSWITCH media): answered and hearing the greeting. */
async function answeredCall(): Promise<RtpCaller> {
  const c = await RtpCaller.open({ target: sip });
  await c.call(15_000);
  await eventually(() => Promise.resolve(c.heard.length), (n) => n >= 25, 5000);
  return c;
}

describe('drachtio-server and FreeSWITCH going away mid-call (real servers, SIGKILL)', { skip: chaosSkip }, () => {
  let gw: Gateway;
  const auditDir = mkdtempSync(join(tmpdir(), 'tl-chaos-audit-'));
  const calls = (result: string): Promise<number> => gw.metric('trunkline_calls_total', { result });
  const fsUp = (): Promise<number> => gw.metric('trunkline_freeswitch_servers', { health: 'up' });
  before(async () => {
    gw = await startGateway({
      config: {
        signaling,
        calls: { drainTimeoutSec: 2 },
        audit: { dir: auditDir },
        media: {
          backend: 'freeswitch',
          freeswitch: {
            servers: [{ address: freeswitch ?? '127.0.0.1', port: Number(env['FREESWITCH_PORT'] ?? 8021), secretEnv: 'FREESWITCH_SECRET' }],
            listenAddress: '127.0.0.1',
            fork: { bind: '127.0.0.1', port: 0, sampleRate: 16000, streaming: true },
          },
        },
      },
    });
  });
  after(async () => {
    await gw?.stop();
    rmSync(auditDir, { recursive: true, force: true });
  });

  test('FreeSWITCH killed: the caller gets a BYE at once, new INVITEs 503 + Retry-After, calls work again when it is back', { timeout: 90_000 }, async (t) => {
    const errors0 = await calls('error');
    const c = await answeredCall();
    let byeMs: number;
    try {
      const t0 = performance.now();
      kill9(env['FREESWITCH_PIDFILE']!);
      while (!c.ended && performance.now() - t0 < 5000) await sleep(5);
      byeMs = performance.now() - t0;
      assert.ok(c.ended, `no BYE within 5 s of FreeSWITCH dying\n${gw.describe()}`);
    } finally {
      c.close();
    }
    t.diagnostic(`caller's BYE ${byeMs.toFixed(0)} ms after SIGKILL`);
    assert.equal(await eventually(() => calls('error'), (v) => v >= errors0 + 1), errors0 + 1, gw.describe());
    assert.equal(await fsUp(), 0);
    // The call's audit file is closed with its end record.
    const ends = readdirSync(auditDir).flatMap((d) => readdirSync(join(auditDir, d)).map((f) => readFileSync(join(auditDir, d, f), 'utf8')));
    assert.ok(ends.some((text) => /"type":"call-end"/.test(text) && /"result":"error"/.test(text)), `no call-end record in ${auditDir}`);

    // While it is down: refused at once, with a Retry-After, and the gateway stays up.
    const peer = await UdpPeer.open();
    try {
      const inv = invite(peer.localPort, 'Carrier SBC 1.0');
      const t1 = performance.now();
      const got = await responses(peer, [inv], 5000);
      const resp = (got.get(inv.callId) ?? []).find((r) => (statusOf(r) ?? 0) >= 200) ?? '';
      t.diagnostic(`INVITE while FreeSWITCH is down: ${resp.split('\r\n', 1)[0]} in ${(performance.now() - t1).toFixed(0)} ms`);
      assert.equal(statusOf(resp), 503, resp);
      assert.ok(Number(header(resp, 'Retry-After')) > 0, resp);
    } finally {
      peer.close();
    }
    assert.ok(gw.isRunning());

    startDetached(env['FREESWITCH_START']!);
    const t2 = performance.now();
    await eventually(fsUp, (v) => v === 1, 45_000, 250);
    t.diagnostic(`pool healthy again ${(performance.now() - t2).toFixed(0)} ms after FreeSWITCH was started`);
    const hangups0 = await calls('caller-hangup');
    const again = await answeredCall();
    await again.hangup();
    again.close();
    assert.equal(await eventually(() => calls('caller-hangup'), (v) => v >= hangups0 + 1), hangups0 + 1, gw.describe());
  });

  test('drachtio-server killed: the FreeSWITCH channel is hung up, the gateway reconnects, the next call works', { timeout: 90_000 }, async (t) => {
    await eventually(fsUp, (v) => v === 1, 45_000, 250);
    const c = await answeredCall();
    try {
      // FreeSWITCH lists a channel a moment after it is answered.
      assert.equal(await eventually(fsChannels, (n) => n === 1, 5000, 100), 1, 'FreeSWITCH has the call');
      const t0 = performance.now();
      kill9(env['DRACHTIO_PIDFILE']!);
      assert.equal(await eventually(fsChannels, (n) => n === 0, 10_000, 50), 0, `FreeSWITCH channel leaked\n${gw.describe()}`);
      t.diagnostic(`FreeSWITCH channel gone ${(performance.now() - t0).toFixed(0)} ms after drachtio-server died`);
      assert.equal(await eventually(() => gw.metric('trunkline_active_calls'), (n) => n === 0), 0, gw.describe());
    } finally {
      c.close();
    }
    assert.ok(gw.isRunning());
    startDetached(env['DRACHTIO_START']!);
    const t1 = performance.now();
    await eventually(() => gw.metric('trunkline_drachtio_connected'), (v) => v === 1, 30_000, 100);
    t.diagnostic(`reconnected ${(performance.now() - t1).toFixed(0)} ms after drachtio-server was started`);
    const hangups0 = await calls('caller-hangup');
    const again = await answeredCall();
    await again.hangup();
    again.close();
    assert.equal(await eventually(() => calls('caller-hangup'), (v) => v >= hangups0 + 1), hangups0 + 1, gw.describe());
    assert.equal(await eventually(fsChannels, (n) => n === 0, 5000, 100), 0, 'FreeSWITCH channel left after the caller hung up');
  });
});
