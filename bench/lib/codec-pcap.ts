import { readFileSync, writeFileSync } from 'node:fs';
import { codecInfo, createDecoder, createEncoder, createResampler } from '../../codecs/index.ts';
import type { CodecName } from '../../codecs/types.ts';
import { readUdpPcap, writeUdpPcap, type UdpToWrite } from './pcap.ts';

/**
 * SIPp ships G.711 pcaps only (g711a.pcap: 7 s of speech in 30 ms packets). For a G.722 or Opus
 * caller the bench transcodes it with the project's own codecs: PCMA decode → resample to the
 * codec's PCM rate → re-frame into 20 ms packets (opus has no 30 ms frame, RFC 6716 §2.1.4) → encode,
 * with RTP timestamps on the codec's clock (G.722 keeps 8000 Hz, RFC 3551 §4.5.2; opus 48000,
 * RFC 7587 §4.1).
 */

export const G711A_PCAP = '/usr/share/sip-tester/g711a.pcap';

function isPcmaRtp(p: Uint8Array): boolean {
  return p.length > 12 && ((p[1] ?? 0) & 0x7f) === 8;
}

/** Duration of the RTP in a pcap (first packet to the end of the last), ms. */
export function pcapDurationMs(file: string): number {
  const recs = readUdpPcap(readFileSync(file));
  if (recs.length < 2) throw new Error(`${file}: fewer than two UDP packets`);
  const first = recs[0]?.tsUs ?? 0;
  const last = recs[recs.length - 1]?.tsUs ?? 0;
  const step = (recs[1]?.tsUs ?? 0) - first;
  return (last - first + step) / 1000;
}

/** The speech of SIPp's g711a.pcap as 8 kHz PCM. */
export function g711aSpeech(src = G711A_PCAP): Int16Array {
  const recs = readUdpPcap(readFileSync(src)).filter((r) => isPcmaRtp(r.payload));
  const dec = createDecoder(codecInfo('PCMA'));
  const out = new Int16Array(recs.reduce((n, r) => n + r.payload.length - 12, 0));
  let n = 0;
  for (const r of recs) n += dec.decodeInto(r.payload.subarray(12), out.subarray(n));
  return out.subarray(0, n);
}

export function transcodeG711aPcap(name: CodecName, payloadType: number, outFile: string, src = G711A_PCAP): void {
  const speech = g711aSpeech(src);
  const target = codecInfo(name, payloadType);
  const rs = createResampler(8000, target.sampleRate);
  const pcm = new Int16Array(rs.outputLength(speech.length) + 64);
  const total = rs.process(speech, pcm);
  const enc = createEncoder(target);
  const spf = target.sampleRate / 50;
  const tsStep = target.clockRate / 50;
  const out = new Uint8Array(1500);
  const packets: UdpToWrite[] = [];
  const ssrc = 0x42454e43; // "BENC"
  for (let i = 0; (i + 1) * spf <= total; i++) {
    const bytes = enc.encodeInto(pcm.subarray(i * spf, (i + 1) * spf), out);
    const pkt = new Uint8Array(12 + bytes);
    const dv = new DataView(pkt.buffer);
    pkt[0] = 0x80;
    pkt[1] = (i === 0 ? 0x80 : 0) | (payloadType & 0x7f);
    dv.setUint16(2, i & 0xffff);
    dv.setUint32(4, (i * tsStep) >>> 0);
    dv.setUint32(8, ssrc);
    pkt.set(out.subarray(0, bytes), 12);
    packets.push({ tsUs: 1_000_000 + i * 20_000, srcPort: 5000, dstPort: 2006, payload: pkt });
  }
  writeFileSync(outFile, writeUdpPcap(packets));
}
