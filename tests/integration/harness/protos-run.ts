/**
 * Replays all 4527 PROTOS c07-sip INVITEs against one running gateway: over UDP, or over TCP when a
 * case is larger than a datagram can carry. After each case a fresh OPTIONS (matched by its Call-ID)
 * must get a 200 — the liveness probe. Answered INVITEs are ACKed and hung up, refused ones ACKed,
 * so nothing lingers. Memory (RSS, V8 heap used) is read from /metrics after a warm-up and again
 * once every call has ended. Writes a JSON report to argv[2].
 *
 * Run it inside `unshare -n` (harness/netns.ts): the SDP of these cases names foreign hosts.
 *
 *   node --import tsx tests/integration/harness/protos-run.ts out.json
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { startGateway, type Gateway } from './gateway.ts';
import { UdpPeer, ackAndBye, ackNon2xx, statusOf, tcpExchange } from './raw-sip.ts';
import { protosCases, renderCase } from './protos-cases.ts';
import { GC_ENV, gatewayMemory } from './memory.ts';

export interface ProtosReport {
  readonly cases: number;
  readonly udp: number;
  readonly tcp: number;
  readonly dead: number[];
  readonly statuses: Record<string, number>;
  readonly durationMs: number;
  readonly memory: { baselineRss: number; baselineHeap: number; afterRss: number; afterHeap: number; peakRss: number };
  readonly activeCallsAtEnd: number;
  readonly gatewayRunningAtEnd: boolean;
  readonly gatewayLogTail: string;
}

/** Largest payload of one UDP/IPv4 datagram (65535 - 8 UDP - 20 IP). */
const MAX_DATAGRAM = 65507;
const WARMUP = 100;
const SETTLE_MS = 36_000;

function probe(port: number, target: { host: string; port: number }): { text: string; callId: string } {
  const b = randomBytes(8).toString('hex');
  const text =
    `OPTIONS sip:probe@${target.host}:${target.port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${port};rport;branch=z9hG4bK${b}\r\n` +
    `Max-Forwards: 70\r\nTo: <sip:probe@${target.host}>\r\nFrom: <sip:liveness@127.0.0.1>;tag=${b.slice(0, 8)}\r\n` +
    `Call-ID: probe-${b}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;
  return { text, callId: `probe-${b}` };
}

async function alive(prober: UdpPeer, target: { host: string; port: number }): Promise<boolean> {
  const p = probe(prober.localPort, target);
  prober.drain();
  await prober.send(p.text, target.host, target.port);
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    const got = await prober.collect(deadline - Date.now());
    if (got.some((m) => statusOf(m) === 200 && m.includes(p.callId))) return true;
  }
  return false;
}

async function memory(gw: Gateway): Promise<{ rss: number; heap: number }> {
  const m = await gatewayMemory(gw);
  if (!m.collected) throw new Error('the gateway did not run a GC before measuring (no --expose-gc)');
  return { rss: m.rss, heap: m.heapUsed };
}

async function main(out: string): Promise<void> {
  const gw = await startGateway({
    env: GC_ENV,
    config: {
      // Replay speed is not a flood: no rate limits here (the flood test covers them).
      security: { admission: { perSource: { ratePerSec: 0, burst: 1 }, perTrunk: { ratePerSec: 0, burst: 1 } }, media: { portQuarantineMs: 200 } },
      calls: { maxConcurrent: 1000 },
      // Answered cases whose hostile From/To our BYE cannot name end by media timeout; keep it short.
      rtp: { mediaTimeoutSec: 3 },
      logging: { level: 'warn' },
    },
  });
  const target = { host: '127.0.0.1', port: gw.sipPort };
  const prober = await UdpPeer.open();
  const cases = protosCases();
  const statuses: Record<string, number> = {};
  const dead: number[] = [];
  let udp = 0;
  let tcp = 0;
  let baseline = { rss: NaN, heap: NaN };
  let peakRss = 0;
  const t0 = Date.now();
  try {
    for (const [i, c] of cases.entries()) {
      if (!gw.isRunning()) break;
      if (i === WARMUP) baseline = await memory(gw);
      if (i % 500 === 0) peakRss = Math.max(peakRss, (await memory(gw)).rss);
      const peer = await UdpPeer.open();
      const bytes = renderCase(c.invite, c.n, target, { host: '127.0.0.1', port: peer.localPort });
      let got: string[] = [];
      if (bytes.length > MAX_DATAGRAM) {
        tcp++;
        got = await tcpExchange(bytes, target.host, target.port, 1500);
      } else {
        udp++;
        await peer.send(bytes, target.host, target.port);
      }
      if (!(await alive(prober, target))) dead.push(c.n);
      if (bytes.length <= MAX_DATAGRAM) {
        got = await peer.collect(5);
        const provisional = got.some((m) => (statusOf(m) ?? 0) < 200 && statusOf(m) !== null);
        if (provisional && !got.some((m) => (statusOf(m) ?? 0) >= 200)) got.push(...(await peer.collect(2500)));
      }
      const final = got.find((m) => (statusOf(m) ?? 0) >= 200);
      const st = final ? statusOf(final)! : 0;
      statuses[st === 0 ? 'none' : String(st)] = (statuses[st === 0 ? 'none' : String(st)] ?? 0) + 1;
      if (final && st < 300) await ackAndBye(peer, final, target).catch(() => false);
      else if (final && bytes.length <= MAX_DATAGRAM) await ackNon2xx(peer, final, bytes, target).catch(() => false);
      peer.close();
    }
  } finally {
    prober.close();
  }
  const durationMs = Date.now() - t0;
  // Every call must end (answered ones were hung up); then memory settles.
  let active = NaN;
  for (let i = 0; i < 80 && gw.isRunning(); i++) {
    active = await gw.metric('trunkline_active_calls');
    if (active === 0) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  // Server transactions live up to 64*T1 = 32 s after their last message (RFC 3261 Timers H, J):
  // memory is compared once they have all gone.
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const after = gw.isRunning() ? await memory(gw) : { rss: NaN, heap: NaN };
  const running = gw.isRunning();
  await gw.stop(5000);
  const report: ProtosReport = {
    cases: cases.length, udp, tcp, dead, statuses, durationMs,
    memory: { baselineRss: baseline.rss, baselineHeap: baseline.heap, afterRss: after.rss, afterHeap: after.heap, peakRss },
    activeCallsAtEnd: active, gatewayRunningAtEnd: running, gatewayLogTail: gw.logTail(6000),
  };
  writeFileSync(out, JSON.stringify(report, null, 1));
}

const out = process.argv[2];
if (!out) {
  console.error('usage: protos-run.ts <out.json>');
  process.exit(2);
}
main(out).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
