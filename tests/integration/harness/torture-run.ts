/**
 * Replays every RFC 4475 / RFC 5118 torture message against a freshly started gateway, byte-exact,
 * over UDP and then over TCP (one connection per message), with an OPTIONS liveness probe after each,
 * and writes the observations as JSON to the file named by argv[2].
 *
 * Run it inside a private network namespace (`unshare -n`, see rfc4475.test.ts): the messages carry
 * SDP naming 192.0.2.x hosts, and an answered INVITE makes the gateway send RTP there; inside the
 * namespace only loopback exists, so nothing can leave the machine.
 *
 *   node --import tsx tests/integration/harness/torture-run.ts out.json
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SHARED_CONFORMANCE, startGateway, type GatewayExit } from './gateway.ts';
import { CONNECTION_CLOSED, UdpPeer, ackAndBye, ackNon2xx, firstLine, optionsProbe, statusOf, tcpExchange } from './raw-sip.ts';
import { parseIndex, type IndexRow, type Transport } from './torture-expect.ts';

export interface TortureCase {
  readonly file: string;
  readonly transport: Transport;
  readonly responses: string[];
  readonly closed: boolean;
  readonly alive: boolean;
  readonly probe: string;
}

export interface TortureReport {
  readonly cases: TortureCase[];
  readonly gatewayExit: GatewayExit | null;
  readonly gatewayRunningAtEnd: boolean;
  readonly gatewayLogTail: string;
}

const REQUEST_WAIT_MS = 1000;
const PROBE_WAIT_MS = 2000;

/**
 * Method and top-Via branch of a raw request, or null. Several torture messages reuse a branch
 * (z9hG4bKkdjuw …), which RFC 3261 §8.1.1.7 forbids between real requests; to a live gateway the
 * second one is a retransmission of the first's server transaction (§17.2.3) and is absorbed.
 */
export function transactionKey(bytes: Buffer): string | null {
  const text = bytes.toString('latin1');
  const method = /^([A-Za-z]+)\s/.exec(text)?.[1];
  const via = /^(?:Via|v)[ \t]*:([^\r\n]*)/im.exec(text)?.[1];
  const branch = via ? /branch\s*=\s*([^;,\s]+)/i.exec(via)?.[1] : undefined;
  return method && branch ? `${method.toUpperCase()} ${branch}` : null;
}

/**
 * One pass over every message on one transport. Each message must meet a gateway with no memory of
 * an earlier message's transaction: the gateway is restarted whenever a transaction key repeats, and
 * each pass has its own (the same bytes over the other transport would also be retransmissions).
 */
async function pass(transport: Transport, dir: string, rows: readonly IndexRow[]): Promise<TortureReport> {
  let gw = await startGateway();
  let seen = new Set<string>();
  const cases: TortureCase[] = [];
  let running = true;
  let exit: GatewayExit | null = null;
  try {
    for (const row of rows) {
      const bytes = readFileSync(path.join(dir, row.file));
      const key = transactionKey(bytes);
      if (key !== null && seen.has(key)) {
        if (!gw.isRunning()) break;
        await gw.stop(5000);
        gw = await startGateway();
        seen = new Set();
      }
      if (key !== null) seen.add(key);
      const target = { host: '127.0.0.1', port: gw.sipPort };
      // A fresh socket per case and per probe: a retransmitted response to an earlier case
      // (Timer G) can then never be mistaken for this case's answer or the probe's.
      const peer = await UdpPeer.open();
      let got: string[];
      if (transport === 'udp') {
        got = await peer.exchange(bytes, target.host, target.port, REQUEST_WAIT_MS);
      } else {
        got = await tcpExchange(bytes, target.host, target.port, REQUEST_WAIT_MS);
      }
      // Finish torture INVITEs: hang up answered ones so they do not pile up as calls, ACK refused ones.
      const final = got.find((m) => (statusOf(m) ?? 0) >= 200 && /^CSeq:\s*\d+\s+INVITE/im.test(m));
      const st = final ? (statusOf(final) ?? 0) : 0;
      if (final && st < 300) await ackAndBye(peer, final, target).catch(() => false);
      else if (final && transport === 'udp') await ackNon2xx(peer, final, bytes, target).catch(() => false);
      peer.close();
      const prober = await UdpPeer.open();
      const probe = await prober.exchange(optionsProbe(prober.localPort, target), target.host, target.port, PROBE_WAIT_MS);
      prober.close();
      const probeFinal = probe.map(firstLine).find((l) => (statusOf(l) ?? 0) >= 200) ?? '<no response>';
      cases.push({
        file: row.file,
        transport,
        responses: got.filter((m) => m !== CONNECTION_CLOSED).map((m) => firstLine(m).slice(0, 100)),
        closed: got.includes(CONNECTION_CLOSED),
        alive: statusOf(probeFinal) === 200,
        probe: probeFinal,
      });
    }
  } finally {
    running = gw.isRunning();
    exit = await gw.stop(5000);
  }
  return { cases, gatewayExit: running ? null : exit, gatewayRunningAtEnd: running, gatewayLogTail: gw.logTail(8000) };
}

async function main(out: string): Promise<void> {
  const dir = path.join(SHARED_CONFORMANCE, 'rfc4475');
  const rows = parseIndex(readFileSync(path.join(dir, 'INDEX.tsv'), 'utf8'));
  const udp = await pass('udp', dir, rows);
  const tcp = await pass('tcp', dir, rows);
  const report: TortureReport = {
    cases: [...udp.cases, ...tcp.cases],
    gatewayExit: udp.gatewayExit ?? tcp.gatewayExit,
    gatewayRunningAtEnd: udp.gatewayRunningAtEnd && tcp.gatewayRunningAtEnd,
    gatewayLogTail: `--- udp pass ---\n${udp.gatewayLogTail}\n--- tcp pass ---\n${tcp.gatewayLogTail}`,
  };
  writeFileSync(out, JSON.stringify(report, null, 1));
}

const out = process.argv[2];
if (!out) {
  console.error('usage: torture-run.ts <out.json>');
  process.exit(2);
}
main(out).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
