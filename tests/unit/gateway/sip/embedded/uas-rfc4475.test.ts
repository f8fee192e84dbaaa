/**
 * The RFC 4475 / RFC 5118 torture messages sent, byte for byte, over real UDP to the embedded UAS:
 * each gets the final status the gateway note of INDEX.tsv names (or nothing, for DROP cases), no
 * message crashes it, only true new INVITEs reach the call layer, and every datagram we send goes to
 * the packet source — never to the foreign hosts the messages name in Via (RFC 3581 symmetric routing).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Socket } from 'node:dgram';
import { EmbeddedSignaling } from '../../../../../gateway/sip/embedded/uas.ts';
import { FakeClock } from '../../../../../gateway/sip/embedded/clock.ts';
import { silentLogger } from '../../../../../gateway/log.ts';
import { UdpPeer, sipRequest } from './sip-peer.ts';
import { conformanceDir, haveConformanceData } from './conformance-data.ts';

const dir = path.join(conformanceDir, 'rfc4475');
const skip = haveConformanceData ? false : 'shared/sip-conformance not present beside the checkout';

/** Acceptable final statuses per file ([] = must be dropped); `call` = a new INVITE the call layer sees (it rejects 480). */
const EXPECTED: Record<string, { finals: number[]; call?: true }> = {
  'wsinv.dat': { finals: [481] }, 'intmeth.dat': { finals: [501] }, 'esc01.dat': { finals: [480], call: true },
  'escnull.dat': { finals: [405] }, 'esc02.dat': { finals: [501] }, 'lwsdisp.dat': { finals: [200] },
  'longreq.dat': { finals: [480], call: true }, 'dblreq.dat': { finals: [405] }, 'semiuri.dat': { finals: [200, 404] },
  'transports.dat': { finals: [200] }, 'mpart01.dat': { finals: [405, 415, 200] }, 'unreason.dat': { finals: [] },
  'noreason.dat': { finals: [] }, 'badinv01.dat': { finals: [400] }, 'clerr.dat': { finals: [400] }, 'ncl.dat': { finals: [400] },
  'scalar02.dat': { finals: [400] }, 'scalarlg.dat': { finals: [] }, 'quotbal.dat': { finals: [400] }, 'ltgtruri.dat': { finals: [400] },
  'lwsruri.dat': { finals: [400] }, 'lwsstart.dat': { finals: [400, 200] }, 'trws.dat': { finals: [400, 200] },
  'escruri.dat': { finals: [400] }, 'baddate.dat': { finals: [480], call: true }, 'regbadct.dat': { finals: [400, 405] },
  'badaspec.dat': { finals: [400, 200] }, 'baddn.dat': { finals: [400] }, 'badvers.dat': { finals: [505] },
  'mismatch01.dat': { finals: [400] }, 'mismatch02.dat': { finals: [501, 400] }, 'bigcode.dat': { finals: [] },
  'badbranch.dat': { finals: [400, 200] }, 'insuf.dat': { finals: [400] }, 'unkscm.dat': { finals: [416] },
  'novelsc.dat': { finals: [416, 404] }, 'unksm2.dat': { finals: [405, 400] }, 'bext01.dat': { finals: [420] },
  'invut.dat': { finals: [415] }, 'regaut01.dat': { finals: [405] }, 'multi01.dat': { finals: [400] }, 'mcl01.dat': { finals: [400] },
  'bcast.dat': { finals: [] }, 'zeromf.dat': { finals: [200] }, 'cparam01.dat': { finals: [405] }, 'cparam02.dat': { finals: [405] },
  'regescrt.dat': { finals: [405] }, 'sdp01.dat': { finals: [406] }, 'inv2543.dat': { finals: [480, 400], call: true },
  'rfc5118/ipv6-good.dat': { finals: [405] }, 'rfc5118/ipv6-bad.dat': { finals: [400] },
};

const clock = new FakeClock();
const uas = new EmbeddedSignaling({
  config: { bind: '127.0.0.1', udpPort: 0, tcpPort: 0, user: 'trunkline', maxMessageBytes: 8192 },
  log: silentLogger,
  clock,
});
let calls = 0;
uas.on('invite', (d) => {
  calls++;
  d.reject(480);
});
let peer: UdpPeer;
let peerPort = 0;
const destinations = new Set<string>();
const originalSend = Socket.prototype.send;

before(async () => {
  // Record every datagram destination of the process (the peer only sends to the UAS port).
  Socket.prototype.send = function (this: Socket, ...args: unknown[]) {
    const [, a1, a2, a3] = args;
    const port = typeof a1 === 'number' ? a1 : (a3 as number);
    const address = typeof a1 === 'number' ? a2 : undefined;
    destinations.add(`${String(address)}:${port}`);
    return (originalSend as (...x: unknown[]) => void).apply(this, args);
  } as typeof Socket.prototype.send;
  await uas.start();
  peer = new UdpPeer(uas.ports.udp);
  peerPort = await peer.bind();
});
after(async () => {
  Socket.prototype.send = originalSend;
  peer.close();
  await uas.close();
});

const finalOf = (raw: Buffer): number | undefined => {
  const m = /^SIP\/2\.0 (\d{3}) /.exec(raw.toString('latin1'));
  const status = m ? Number(m[1]) : undefined;
  return status !== undefined && status >= 200 ? status : undefined;
};

test('RFC 4475 / 5118 torture messages over UDP get the expected answers', { skip }, async () => {
  for (const [file, expected] of Object.entries(EXPECTED)) {
    const from = peer.raw.length;
    const callsBefore = calls;
    peer.send(readFileSync(path.join(dir, file)));
    if (expected.finals.length > 0) {
      const deadline = Date.now() + 2000;
      while (!peer.raw.slice(from).some((b) => finalOf(b) !== undefined) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    } else {
      await new Promise((r) => setTimeout(r, 80));
    }
    const finals = peer.raw.slice(from).map(finalOf).filter((s) => s !== undefined);
    if (expected.finals.length === 0) assert.deepEqual(finals, [], file);
    else assert.ok(finals.length === 1 && expected.finals.includes(finals[0]!), `${file}: got ${JSON.stringify(finals)}`);
    assert.equal(calls - callsBefore, expected.call ? 1 : 0, `${file}: calls`);
  }
  // Still alive and answering.
  peer.send(sipRequest('OPTIONS', { port: peerPort, branch: 'z9hG4bKalive', callId: 'alive', cseq: 1 }));
  await peer.next((m) => m.kind === 'response' && m.status === 200 && m.headers.get('Call-ID') === 'alive');
  assert.ok(destinations.has(`127.0.0.1:${peerPort}`), 'the send spy saw our answers');
  assert.deepEqual([...destinations].filter((d) => d !== `127.0.0.1:${peerPort}` && d !== `127.0.0.1:${uas.ports.udp}`), []);
});
