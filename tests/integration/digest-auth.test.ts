/**
 * SIP digest authentication of a trunk (RFC 8760) against the running gateway, with raw UDP from
 * distinct loopback sources: the challenge offers SHA-256 then MD5; both answers are accepted and
 * the call is set up; a replayed Authorization is refused; a brute force from another source is
 * locked out after `maxFailures` (silence, even for the right password) while the real trunk goes on.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { startGateway, type Gateway } from './harness/gateway.ts';
import { digestResponse } from '../../policies/digest.ts';

const USER = 'carrier-a';
const PASS = 'correct horse battery staple';
const CONFIG = {
  trunks: [{ name: 'carrier', allowedCidrs: ['127.0.0.0/8'] }],
  security: { auth: { trunks: [{ trunk: 'carrier', usernameEnv: 'TL_IT_SIP_USER', passwordEnv: 'TL_IT_SIP_PASSWORD' }], maxFailures: 3, lockoutSec: 120 } },
  calls: { drainTimeoutSec: 1 },
};

/** A raw SIP caller bound to one loopback address. */
class Caller {
  readonly inbox: string[] = [];
  private constructor(private readonly sock: Socket, readonly ip: string, readonly port: number) {
    sock.on('message', (m) => this.inbox.push(m.toString('latin1')));
  }
  static async open(ip: string): Promise<Caller> {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, ip, r));
    return new Caller(s, ip, s.address().port);
  }
  send(text: string, port: number): void {
    this.sock.send(text, port, '127.0.0.1');
  }
  /** The first message matching `re` arriving within `ms`, or undefined. */
  async wait(re: RegExp, ms: number): Promise<string | undefined> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const i = this.inbox.findIndex((m) => re.test(m));
      if (i >= 0) return this.inbox.splice(i, 1)[0];
      await new Promise((r) => setTimeout(r, 10));
    }
    return undefined;
  }
  close(): void {
    this.sock.close();
  }
}

const SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';

function invite(c: Caller, gwPort: number, callId: string, cseq: number, auth?: string): string {
  const uri = `sip:100@127.0.0.1:${gwPort}`;
  return (
    `INVITE ${uri} SIP/2.0\r\nVia: SIP/2.0/UDP ${c.ip}:${c.port};rport;branch=z9hG4bK${randomBytes(6).toString('hex')}\r\n` +
    `Max-Forwards: 70\r\nFrom: <sip:trunk@${c.ip}>;tag=t${callId}\r\nTo: <${uri}>\r\nCall-ID: ${callId}\r\nCSeq: ${cseq} INVITE\r\n` +
    `Contact: <sip:trunk@${c.ip}:${c.port}>\r\n${auth ? `Authorization: ${auth}\r\n` : ''}Content-Type: application/sdp\r\nContent-Length: ${SDP.length}\r\n\r\n${SDP}`
  );
}

function challenges(res: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of res.matchAll(/^WWW-Authenticate: (.*)$/gim)) {
    const alg = /algorithm=([A-Z0-9-]+)/.exec(m[1]!)?.[1];
    const nonce = /nonce="([^"]+)"/.exec(m[1]!)?.[1];
    if (alg && nonce) out.set(alg, nonce);
  }
  return out;
}

function authorization(alg: 'SHA-256' | 'MD5', nonce: string, gwPort: number, password = PASS): string {
  const uri = `sip:100@127.0.0.1:${gwPort}`;
  const cnonce = randomBytes(4).toString('hex');
  const response = digestResponse(alg, { username: USER, password, realm: 'trunkline', method: 'INVITE', uri, nonce, nc: '00000001', cnonce });
  return `Digest username="${USER}", realm="trunkline", nonce="${nonce}", uri="${uri}", algorithm=${alg}, qop=auth, nc=00000001, cnonce="${cnonce}", response="${response}"`;
}

/** ACK a final response by its To tag, for 2xx hang up too (best effort cleanup). */
function finish(c: Caller, res: string, gwPort: number, callId: string, cseq: number): void {
  const to = /^To: (.*)$/im.exec(res)?.[1] ?? '';
  const from = /^From: (.*)$/im.exec(res)?.[1] ?? '';
  const via = /^Via: (.*)$/im.exec(res)?.[1] ?? '';
  const uri = `sip:100@127.0.0.1:${gwPort}`;
  const ok = /^SIP\/2\.0 2/.test(res);
  const ackVia = ok ? `SIP/2.0/UDP ${c.ip}:${c.port};rport;branch=z9hG4bK${randomBytes(6).toString('hex')}` : via;
  c.send(`ACK ${uri} SIP/2.0\r\nVia: ${ackVia}\r\nMax-Forwards: 70\r\nFrom: ${from}\r\nTo: ${to}\r\nCall-ID: ${callId}\r\nCSeq: ${cseq} ACK\r\nContent-Length: 0\r\n\r\n`, gwPort);
  if (ok) c.send(`BYE ${uri} SIP/2.0\r\nVia: SIP/2.0/UDP ${c.ip}:${c.port};rport;branch=z9hG4bK${randomBytes(6).toString('hex')}\r\nMax-Forwards: 70\r\nFrom: ${from}\r\nTo: ${to}\r\nCall-ID: ${callId}\r\nCSeq: ${cseq + 1} BYE\r\nContent-Length: 0\r\n\r\n`, gwPort);
}

describe('trunk digest authentication (RFC 8760)', () => {
  let gw: Gateway;
  before(async () => {
    gw = await startGateway({ config: CONFIG, env: { TL_IT_SIP_USER: USER, TL_IT_SIP_PASSWORD: PASS } });
  });
  after(async () => {
    if (gw) await gw.stop();
  });

  test('challenge SHA-256 + MD5; both answers set up a call; a replay is refused', { timeout: 30_000 }, async () => {
    const c = await Caller.open('127.0.0.4');
    try {
      for (const alg of ['SHA-256', 'MD5'] as const) {
        const callId = `auth-${alg}-${randomBytes(3).toString('hex')}`;
        c.send(invite(c, gw.sipPort, callId, 1), gw.sipPort);
        const r401 = await c.wait(new RegExp(`^SIP/2.0 401[^]*${callId}`), 3000);
        assert.ok(r401, `no 401 for ${alg}\n${gw.describe()}`);
        const ch = challenges(r401);
        assert.deepEqual([...ch.keys()], ['SHA-256', 'MD5'], 'SHA-256 offered first (RFC 8760 §2.4)');
        finish(c, r401, gw.sipPort, callId, 1);
        const auth = authorization(alg, ch.get(alg)!, gw.sipPort);
        c.send(invite(c, gw.sipPort, callId, 2, auth), gw.sipPort);
        const ok = await c.wait(new RegExp(`^SIP/2.0 200[^]*CSeq: 2 INVITE`), 5000);
        assert.ok(ok, `${alg}: no 200 after authenticating\n${c.inbox.join('\n---\n').slice(-3000)}\n${gw.describe()}`);
        finish(c, ok, gw.sipPort, callId, 2);
        // The same credentials again (a captured INVITE resent): the nonce was used.
        const replayId = `${callId}-replay`;
        c.send(invite(c, gw.sipPort, replayId, 1, auth), gw.sipPort);
        const replay = await c.wait(new RegExp(`^SIP/2.0 [2-6][0-9]{2}[^]*${replayId}`), 3000);
        assert.match(replay ?? '<none>', /^SIP\/2.0 401/, `${alg}: replay not refused`);
        finish(c, replay!, gw.sipPort, replayId, 1);
      }
      assert.ok((await gw.metric('trunkline_auth_results_total', { result: 'ok' })) >= 2);
    } finally {
      c.close();
    }
  });

  test('brute force: locked out after 3 failures, silent even for the right password; the trunk goes on', { timeout: 30_000 }, async () => {
    const attacker = await Caller.open('127.0.0.5');
    const trunk = await Caller.open('127.0.0.6');
    try {
      const answers: string[] = [];
      for (let i = 0; i < 5; i++) {
        const callId = `brute-${i}-${randomBytes(3).toString('hex')}`;
        attacker.send(invite(attacker, gw.sipPort, callId, 1), gw.sipPort);
        const r401 = await attacker.wait(new RegExp(`^SIP/2.0 [2-6][0-9]{2}[^]*${callId}`), 1000);
        if (!r401) {
          answers.push('silence');
          continue;
        }
        finish(attacker, r401, gw.sipPort, callId, 1);
        const nonce = challenges(r401).get('MD5')!;
        const guess = i < 3 ? `guess-${i}` : PASS;
        attacker.send(invite(attacker, gw.sipPort, callId, 2, authorization('MD5', nonce, gw.sipPort, guess)), gw.sipPort);
        const r = await attacker.wait(new RegExp(`^SIP/2.0 [2-6][0-9]{2}[^]*CSeq: 2 INVITE`), 1000);
        answers.push(r ? r.slice(8, 11) : 'silence');
        if (r) finish(attacker, r, gw.sipPort, callId, 2);
      }
      assert.deepEqual(answers, ['401', '401', 'silence', 'silence', 'silence'], 'third failure locks; then nothing, right password or not');
      assert.ok((await gw.metric('trunkline_auth_results_total', { result: 'locked-out' })) >= 1);
      // The trunk from another address is unaffected.
      const callId = `trunk-${randomBytes(3).toString('hex')}`;
      trunk.send(invite(trunk, gw.sipPort, callId, 1), gw.sipPort);
      const r401 = await trunk.wait(new RegExp(`^SIP/2.0 401[^]*${callId}`), 3000);
      assert.ok(r401);
      finish(trunk, r401, gw.sipPort, callId, 1);
      trunk.send(invite(trunk, gw.sipPort, callId, 2, authorization('SHA-256', challenges(r401).get('SHA-256')!, gw.sipPort)), gw.sipPort);
      const ok = await trunk.wait(/^SIP\/2.0 200[^]*CSeq: 2 INVITE/, 5000);
      assert.ok(ok, gw.describe());
      finish(trunk, ok, gw.sipPort, callId, 2);
    } finally {
      attacker.close();
      trunk.close();
    }
  });

  test('a missing credential variable stops start-up with the key and the variable named', { timeout: 30_000 }, async () => {
    await assert.rejects(startGateway({ config: CONFIG, env: { TL_IT_SIP_USER: USER, TL_IT_SIP_PASSWORD: '' }, readyTimeoutMs: 10_000 }), /security\.auth\.trunks\[0\]\.passwordEnv.*TL_IT_SIP_PASSWORD/);
  });
});
