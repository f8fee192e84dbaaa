/**
 * The PROTOS c07-sip material (University of Oulu): each raw file is `<len> <INVITE template><len>
 * <teardown template>`; placeholders are filled as tools/protos_c07.py render() does, aimed at a
 * loopback gateway. Only the INVITE is used: the gateway's answer decides the teardown (ACK+BYE for
 * a 2xx, ACK for a failure).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SHARED_CONFORMANCE } from './gateway.ts';

export const PROTOS_DIR = path.join(SHARED_CONFORMANCE, 'protos-c07-sip');

export function splitPdus(raw: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let pos = 0;
  while (pos < raw.length && out.length < 4) {
    const sp = raw.indexOf(0x20, pos);
    if (sp < 0) break;
    const len = Number(raw.toString('latin1', pos, sp));
    out.push(raw.subarray(sp + 1, sp + 1 + len));
    pos = sp + 1 + len;
  }
  return out;
}

function replaceAll(b: Buffer, key: string, value: string): Buffer {
  const k = Buffer.from(key);
  const v = Buffer.from(value);
  const parts: Buffer[] = [];
  let pos = 0;
  for (let i = b.indexOf(k); i >= 0; i = b.indexOf(k, pos)) {
    parts.push(b.subarray(pos, i), v);
    pos = i + k.length;
  }
  parts.push(b.subarray(pos));
  return Buffer.concat(parts);
}

/**
 * Placeholder substitution as in tools/protos_c07.py render(). `unique` is appended to the branch and
 * Call-ID so runs against a live gateway never collide; pass '' for the bytes to depend on `n` alone.
 */
export function renderCase(pdu: Buffer, n: number, target: { host: string; port: number }, local: { host: string; port: number }, unique: string = Date.now().toString(36)): Buffer {
  const id = String(n).padStart(7, '0');
  const subs: [string, string][] = [
    ['<To>', `service@${target.host}:${target.port}`], ['<From-Address>', local.host], ['<Local-Port>', String(local.port)],
    ['<Branch-ID>', `${id}${unique}`], ['<From>', `protos@${local.host}`], ['<Call-ID>', `protos-c07-${id}${unique ? `-${unique}` : ''}`],
    ['<CSeq>', String(n + 1)], ['<From-IP>', local.host], ['<Teardown-Method>', 'CANCEL'],
  ];
  let p = pdu;
  for (const [k, v] of subs) p = replaceAll(p, k, v);
  if (p.includes('<Content-Length>')) {
    const i = p.indexOf('\r\n\r\n');
    p = replaceAll(p, '<Content-Length>', String(i >= 0 ? p.length - (i + 4) : 0));
  }
  return p;
}

/** Case numbers in order with their INVITE template. */
export function protosCases(): { n: number; invite: Buffer }[] {
  const dir = path.join(PROTOS_DIR, 'raw');
  return readdirSync(dir)
    .filter((f) => /^[0-9]{7}$/.test(f))
    .sort()
    .map((f) => ({ n: Number(f), invite: splitPdus(readFileSync(path.join(dir, f)))[0] ?? Buffer.alloc(0) }));
}
