import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';

/**
 * Free loopback ports for the gateway and its peers. Test files may run in parallel processes, so
 * ports are probed by binding, never assumed; a SIP port must be free for UDP *and* TCP at once
 * (the gateway listens on both, RFC 3261 §18: a UAS must support both transports).
 */

const HOST = '127.0.0.1';
const MAX_ATTEMPTS = 50;

function bindUdp(port: number): Promise<dgram.Socket | null> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(null);
    });
    s.bind(port, HOST, () => resolve(s));
  });
}

function bindTcp(port: number): Promise<net.Server | null> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(null));
    srv.listen(port, HOST, () => resolve(srv));
  });
}

function closeTcp(srv: net.Server): Promise<void> {
  return new Promise((resolve) => srv.close(() => resolve()));
}

function closeUdp(s: dgram.Socket): Promise<void> {
  return new Promise((resolve) => s.close(() => resolve()));
}

/** A port free for both UDP and TCP on 127.0.0.1. */
export async function freeSipPort(): Promise<number> {
  for (let i = 0; i < MAX_ATTEMPTS; i++) {
    const tcp = await bindTcp(0);
    if (!tcp) continue;
    const addr = tcp.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    const udp = await bindUdp(port);
    await closeTcp(tcp);
    if (udp) {
      await closeUdp(udp);
      return port;
    }
  }
  throw new Error('no free UDP+TCP port found');
}

/** A free TCP port (for HTTP). */
export async function freeTcpPort(): Promise<number> {
  const tcp = await bindTcp(0);
  if (!tcp) throw new Error('no free TCP port');
  const addr = tcp.address();
  await closeTcp(tcp);
  if (typeof addr !== 'object' || !addr) throw new Error('no TCP address');
  return addr.port;
}

/** Start of the kernel's ephemeral port range: ports bound to 0 (SIP, HTTP above) come from there. */
function ephemeralLow(): number {
  try {
    const lo = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isFinite(lo) && lo > 12000 ? lo : 32768;
  } catch {
    return 32768;
  }
}

/**
 * An even-aligned range of `count` UDP ports, every one free right now (RTP uses the even port and
 * RTCP the next odd one, RFC 3550 §11). Picked at random below the ephemeral range, so it can never
 * contain the SIP or HTTP port of the same gateway, and parallel test files rarely collide.
 */
export async function freeUdpRange(count: number, lo = 10000, hi = ephemeralLow()): Promise<{ min: number; max: number }> {
  const span = Math.floor((hi - lo - count) / 2);
  for (let i = 0; i < MAX_ATTEMPTS; i++) {
    const min = lo + 2 * Math.floor(Math.random() * span);
    const held: dgram.Socket[] = [];
    let ok = true;
    for (let p = min; p < min + count; p++) {
      const s = await bindUdp(p);
      if (!s) {
        ok = false;
        break;
      }
      held.push(s);
    }
    await Promise.all(held.map(closeUdp));
    if (ok) return { min, max: min + count - 1 };
  }
  throw new Error(`no free UDP range of ${count} ports`);
}

/** A free even UDP port whose odd neighbour is free too (one RTP/RTCP pair for a peer). */
export async function freeRtpPair(): Promise<number> {
  const r = await freeUdpRange(4);
  return r.min;
}
