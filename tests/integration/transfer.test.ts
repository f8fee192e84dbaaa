/**
 * Blind transfer (RFC 3515 REFER) and call control against the running gateway. The voice menu's
 * option 0 is `then: { transfer: sip:operator@127.0.0.1:5099 }` (allowlisted), so a key press starts
 * a transfer with no AI agent. SIPp plays the caller's side, which is also the side that carries the
 * transfer out (the trunk/PBX): it receives our REFER, answers 202 or refuses, and sends the NOTIFYs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { startGateway, type Gateway } from './harness/gateway.ts';
import { runSipp, type SippResult } from './harness/sipp.ts';
import { freeRtpPair } from './harness/ports.ts';
import { eventually } from './harness/eventually.ts';

const TARGET = 'sip:operator@127.0.0.1:5099';
const CONFIG = {
  calls: { drainTimeoutSec: 2 },
  // The busy test sends DTMF by SIP INFO, so no RTP comes from the caller for a while.
  rtp: { mediaTimeoutSec: 60 },
  transfers: { allowedTargets: ['sip:operator@127.0.0.1:*'], incomingRefer: 'accept', timeoutSec: 10 },
  agent: {
    menu: {
      transferFailed: 'Sorry, the operator is busy.',
      menus: {
        main: {
          prompt: 'Press 0 for an operator. Press 9 to hang up.',
          options: [
            { digit: '0', say: 'Connecting you to an operator.', then: { transfer: TARGET } },
            { digit: '9', then: 'hangup' },
          ],
        },
      },
    },
  },
};

/** G.711 μ-law to linear (ITU-T G.711), enough to measure speech energy. */
function ulaw(byte: number): number {
  const u = ~byte & 0xff;
  const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

/** Listens where the caller's SDP points: every PCMU packet's arrival time and RMS. */
class RtpSink {
  readonly packets: { at: number; rms: number }[] = [];
  readonly #socket: Socket;
  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('message', (msg) => {
      if (msg.length < 12 || (msg[1]! & 0x7f) !== 0) return;
      const cc = msg[0]! & 0x0f;
      const ext = msg[0]! & 0x10;
      let off = 12 + cc * 4;
      if (ext && msg.length >= off + 4) off += 4 + msg.readUInt16BE(off + 2) * 4;
      let sum = 0;
      const n = msg.length - off;
      for (let i = off; i < msg.length; i++) sum += ulaw(msg[i]!) ** 2;
      if (n > 0) this.packets.push({ at: performance.now(), rms: Math.sqrt(sum / n) });
    });
  }
  static async open(port: number): Promise<RtpSink> {
    const s = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(port, '127.0.0.1', () => resolve());
    });
    return new RtpSink(s);
  }
  /** Speech (RMS > 500) per 100 ms bin from the first packet on. */
  speechBins(): boolean[] {
    const first = this.packets[0]?.at ?? 0;
    const bins: boolean[] = [];
    for (const p of this.packets) {
      const i = Math.floor((p.at - first) / 100);
      while (bins.length <= i) bins.push(false);
      if (p.rms > 500) bins[i] = true;
    }
    return bins;
  }
  close(): void {
    this.#socket.close();
  }
}

describe('transfers (SIP REFER)', () => {
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

  const explain = (r: SippResult): string => `${r.describe()}\n${gw.describe()}`;
  const calls = (result: string): Promise<number> => gw.metric('trunkline_calls_total', { result });
  const transfers = (result: string): Promise<number> => gw.metric('trunkline_transfers_total', { result });

  test('0 → REFER to the target; 202, NOTIFY 100 then 200 → the gateway BYEs, call ends "transferred"', { timeout: 60_000 }, async () => {
    const [transferred0, ok0] = await Promise.all([calls('transferred'), transfers('transferred')]);
    const r = await runSipp('uac-transfer-ok.xml', { target: gw.target, timeoutMs: 40_000 });
    assert.equal(r.exitCode, 0, explain(r));
    assert.match(r.messages, /^REFER sip:sipp@127\.0\.0\.1:\d+/m, 'the REFER goes to the caller\'s Contact');
    assert.match(r.messages, /^Refer-To: <sip:operator@127\.0\.0\.1:5099>/m);
    assert.match(r.messages, /^BYE sip:/m, 'no BYE from the gateway in the trace');
    assert.equal(await eventually(() => calls('transferred'), (v) => v >= transferred0 + 1), transferred0 + 1, gw.describe());
    assert.equal(await transfers('transferred'), ok0 + 1);
  });

  test('target busy (NOTIFY sipfrag 486): the apology is heard, the menu goes on, 9 still hangs up', { timeout: 60_000 }, async () => {
    const [failed0, hangups0] = await Promise.all([transfers('failed'), calls('agent-hangup')]);
    const sinkPort = await freeRtpPair();
    const sink = await RtpSink.open(sinkPort);
    let r: SippResult;
    try {
      r = await runSipp('uac-transfer-busy.xml', { target: gw.target, timeoutMs: 45_000, extraArgs: ['-key', 'sink_port', String(sinkPort)] });
    } finally {
      sink.close();
    }
    assert.equal(r.exitCode, 0, explain(r));
    assert.equal(await eventually(() => transfers('failed'), (v) => v >= failed0 + 1), failed0 + 1, gw.describe());
    assert.equal(await eventually(() => calls('agent-hangup'), (v) => v >= hangups0 + 1), hangups0 + 1, gw.describe());
    // Timeline of what the caller heard: "connecting you…", then silence while the REFER runs (the
    // scenario waits 2.5 s before its 486), then the apology and the menu — not silence until the
    // goodbye, which only the 9 pressed 6 s after the 486 would bring.
    const bins = sink.speechBins();
    const firstSpeech = bins.indexOf(true);
    assert.ok(firstSpeech >= 0 && firstSpeech < 30, `no speech at the start (${sink.packets.length} packets)`);
    let gapStart = -1;
    let gapLen = 0;
    for (let i = firstSpeech, run = 0; i < bins.length; i++) {
      run = bins[i] ? 0 : run + 1;
      if (run === 15) {
        gapStart = i - 14;
        while (i + 1 < bins.length && !bins[i + 1]) i++;
        gapLen = i - gapStart + 1;
        break;
      }
    }
    const timeline = bins.map((b) => (b ? '#' : '.')).join('');
    if (process.env.TRANSFER_DEBUG) console.log(timeline);
    assert.ok(gapStart > 0, `no silence while transferring: ${timeline}`);
    assert.ok(gapLen <= 45, `silence of ${gapLen * 100} ms after the 486: no apology (${timeline})`);
    const after = bins.slice(gapStart + gapLen, gapStart + gapLen + 20).filter(Boolean).length;
    assert.ok(after >= 8, `under 0.8 s of speech in the 2 s after the transfer failed: ${timeline}`);
  });

  test('REFER declined (603): back to the menu, 9 still hangs up', { timeout: 60_000 }, async () => {
    const [rejected0, hangups0] = await Promise.all([transfers('rejected'), calls('agent-hangup')]);
    const r = await runSipp('uac-transfer-declined.xml', { target: gw.target, timeoutMs: 40_000 });
    assert.equal(r.exitCode, 0, explain(r));
    assert.equal(await eventually(() => transfers('rejected'), (v) => v >= rejected0 + 1), rejected0 + 1, gw.describe());
    assert.equal(await eventually(() => calls('agent-hangup'), (v) => v >= hangups0 + 1), hangups0 + 1, gw.describe());
  });

  test('incoming REFER (policy accept): 202, NOTIFY 100 Trying, NOTIFY 503 terminated; the call goes on', { timeout: 40_000 }, async () => {
    const [accepted0, hangups0] = await Promise.all([gw.metric('trunkline_incoming_refers_total', { action: 'accepted' }), calls('caller-hangup')]);
    const r = await runSipp('uac-refer-incoming.xml', { target: gw.target, timeoutMs: 30_000 });
    assert.equal(r.exitCode, 0, explain(r));
    assert.equal(await gw.metric('trunkline_incoming_refers_total', { action: 'accepted' }), accepted0 + 1);
    assert.equal(await eventually(() => calls('caller-hangup'), (v) => v >= hangups0 + 1), hangups0 + 1, gw.describe());
  });

  test('no call is left behind', { timeout: 15_000 }, async () => {
    assert.equal(await eventually(() => gw.metric('trunkline_active_calls'), (v) => v === 0, 10_000), 0, gw.describe());
  });
});
