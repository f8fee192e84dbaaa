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
import { SHARED_CONFORMANCE, startGateway } from './gateway.ts';
import { CONNECTION_CLOSED, UdpPeer, ackAndBye, firstLine, optionsProbe, statusOf, tcpExchange } from './raw-sip.ts';
import { parseIndex, type Transport } from './torture-expect.ts';

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
  readonly gatewayExit: { code: number | null; signal: string | null } | null;
  readonly gatewayRunningAtEnd: boolean;
  readonly gatewayLogTail: string;
}

const REQUEST_WAIT_MS = 1000;
const PROBE_WAIT_MS = 2000;

async function main(out: string): Promise<void> {
  const dir = path.join(SHARED_CONFORMANCE, 'rfc4475');
  const rows = parseIndex(readFileSync(path.join(dir, 'INDEX.tsv'), 'utf8'));
  const gw = await startGateway();
  const target = { host: '127.0.0.1', port: gw.sipPort };
  const peer = await UdpPeer.open();
  const cases: TortureCase[] = [];
  try {
    for (const transport of ['udp', 'tcp'] as const) {
      for (const row of rows) {
        const bytes = readFileSync(path.join(dir, row.file));
        let got: string[];
        if (transport === 'udp') {
          got = await peer.exchange(bytes, target.host, target.port, REQUEST_WAIT_MS);
        } else {
          got = await tcpExchange(bytes, target.host, target.port, REQUEST_WAIT_MS);
        }
        // Hang up torture INVITEs that were answered, so they do not pile up as calls.
        const ok = got.find((m) => {
          const st = statusOf(m);
          return st !== null && st >= 200 && st < 300 && /^CSeq:\s*\d+\s+INVITE/im.test(m);
        });
        if (ok) await ackAndBye(peer, ok, target).catch(() => false);
        const probe = await peer.exchange(optionsProbe(peer.localPort, target), target.host, target.port, PROBE_WAIT_MS);
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
    }
  } finally {
    peer.close();
    const running = gw.isRunning();
    const exit = await gw.stop(5000);
    const report: TortureReport = {
      cases,
      gatewayExit: running ? null : exit,
      gatewayRunningAtEnd: running,
      gatewayLogTail: gw.logTail(8000),
    };
    writeFileSync(out, JSON.stringify(report, null, 1));
  }
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
