/**
 * SDP parser (RFC 8866, which obsoletes RFC 4566) for what a SIP trunk sends: origin, connection,
 * media sections, rtpmap/fmtp/ptime, direction and rtcp. Pure: string in, typed structure out.
 * Tolerant of LF-only line ends, blank lines, unknown line types and unknown attributes (RFC 8866
 * §5: "unknown attributes MUST be ignored"); malformed required lines throw `SdpError`.
 *
 *   v=0
 *   o=<username> <sess-id> <sess-version> IN IP4|IP6 <address>        (§5.2)
 *   s=<session name>
 *   c=IN IP4|IP6 <address>[/ttl][/n]        session or media level      (§5.7)
 *   t=0 0
 *   m=<media> <port>[/<count>] <proto> <fmt> ...                        (§5.14)
 *   a=rtpmap:<pt> <encoding>/<clock>[/<channels>]                       (§6.6)
 *   a=fmtp:<pt> <params>   a=ptime:<ms>   a=sendrecv|sendonly|recvonly|inactive   a=rtcp:<port> [IN IP4 <addr>] (RFC 3605)
 */
import { TrunklineError } from '../errors.ts';

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
const DIRECTIONS: ReadonlySet<string> = new Set<Direction>(['sendrecv', 'sendonly', 'recvonly', 'inactive']);

/** Malformed SDP. Maps to 400 (RFC 3261 §21.4.1) when it arrives in an INVITE. */
export class SdpError extends TrunklineError {
  override readonly name = 'SdpError';
  readonly sipStatus = 400;
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line === undefined ? message : `${message} (line ${line})`);
  }
}

export interface SdpConnection {
  readonly addrType: 'IP4' | 'IP6';
  readonly address: string;
}

export interface SdpOrigin extends SdpConnection {
  readonly username: string;
  /** Kept as strings: they are often 64-bit NTP values, beyond Number's exact range. */
  readonly sessionId: string;
  readonly sessionVersion: string;
}

export interface RtpMap {
  readonly payloadType: number;
  readonly encoding: string;
  readonly clockRate: number;
  /** Omitted in SDP means 1 (RFC 8866 §6.6). */
  readonly channels: number;
}

export interface SdpAttribute {
  readonly name: string;
  readonly value: string | undefined;
}

export interface SdpMedia {
  /** `audio`, `video`, `application`, … */
  readonly type: string;
  /** 0 means the stream is rejected/disabled (RFC 3264 §5.1). */
  readonly port: number;
  readonly proto: string;
  /** Formats as written; for RTP profiles these are payload type numbers. */
  readonly formats: readonly string[];
  /** The formats that are RTP payload types (0–127), in offer order. */
  readonly payloadTypes: readonly number[];
  readonly rtpmap: ReadonlyMap<number, RtpMap>;
  readonly fmtp: ReadonlyMap<number, string>;
  readonly ptime: number | undefined;
  readonly maxptime: number | undefined;
  /** Direction attribute written at media level, if any. */
  readonly direction: Direction | undefined;
  /** The direction in force: media level, else session level, else sendrecv (RFC 8866 §6.7). */
  readonly effectiveDirection: Direction;
  /** Media-level `c=`, if any. */
  readonly connection: SdpConnection | undefined;
  /** The address in force: media-level `c=`, else session-level. */
  readonly effectiveConnection: SdpConnection | undefined;
  /** RFC 3605 `a=rtcp`; absent means RTP port + 1 (RFC 3550 §11). */
  readonly rtcp: { readonly port: number; readonly connection: SdpConnection | undefined } | undefined;
  readonly attributes: readonly SdpAttribute[];
}

export interface SessionDescription {
  readonly origin: SdpOrigin;
  readonly sessionName: string;
  readonly connection: SdpConnection | undefined;
  readonly direction: Direction | undefined;
  readonly media: readonly SdpMedia[];
  readonly attributes: readonly SdpAttribute[];
}

interface MediaDraft {
  type: string;
  port: number;
  proto: string;
  formats: string[];
  connection: SdpConnection | undefined;
  attributes: SdpAttribute[];
}

function int(text: string | undefined, what: string, line: number, max: number): number {
  if (text === undefined || !/^\d{1,10}$/.test(text)) throw new SdpError(`bad ${what}`, line);
  const n = Number(text);
  if (n > max) throw new SdpError(`${what} out of range`, line);
  return n;
}

function parseConnection(value: string, line: number): SdpConnection {
  const [net, addrType, addr] = value.trim().split(/\s+/);
  if (net !== 'IN' || (addrType !== 'IP4' && addrType !== 'IP6') || !addr) {
    throw new SdpError('bad connection line', line);
  }
  // Multicast TTL / address count suffixes (§5.7) are not part of the address.
  return { addrType, address: addr.split('/')[0]! };
}

function parseOrigin(value: string, line: number): SdpOrigin {
  const f = value.trim().split(/\s+/);
  if (f.length !== 6) throw new SdpError('bad origin line', line);
  const [username, sessionId, sessionVersion, ...rest] = f as [string, string, string, string, string, string];
  if (!/^\d+$/.test(sessionId) || !/^\d+$/.test(sessionVersion)) throw new SdpError('bad origin id/version', line);
  return { username, sessionId, sessionVersion, ...parseConnection(rest.join(' '), line) };
}

function parseMediaLine(value: string, line: number): MediaDraft {
  const f = value.trim().split(/\s+/);
  if (f.length < 4) throw new SdpError('bad media line', line);
  const [type, portSpec, proto, ...formats] = f as [string, string, string, ...string[]];
  const port = int(portSpec.split('/')[0], 'media port', line, 65535);
  return { type, port, proto, formats, connection: undefined, attributes: [] };
}

function attribute(value: string): SdpAttribute {
  const colon = value.indexOf(':');
  return colon < 0 ? { name: value.trim(), value: undefined } : { name: value.slice(0, colon).trim(), value: value.slice(colon + 1).trim() };
}

function directionOf(attrs: readonly SdpAttribute[]): Direction | undefined {
  let dir: Direction | undefined;
  for (const a of attrs) if (DIRECTIONS.has(a.name)) dir = a.name as Direction;
  return dir;
}

function finishMedia(m: MediaDraft, session: { connection: SdpConnection | undefined; direction: Direction | undefined }): SdpMedia {
  const isRtp = m.proto.toUpperCase().startsWith('RTP/');
  const payloadTypes = isRtp ? m.formats.filter((f) => /^\d{1,3}$/.test(f) && Number(f) <= 127).map(Number) : [];
  const rtpmap = new Map<number, RtpMap>();
  const fmtp = new Map<number, string>();
  let ptime: number | undefined;
  let maxptime: number | undefined;
  let rtcp: SdpMedia['rtcp'];
  for (const a of m.attributes) {
    const v = a.value ?? '';
    if (a.name === 'rtpmap') {
      const r = /^(\d{1,3})\s+([^/\s]+)\/(\d+)(?:\/(\d+))?/.exec(v);
      if (r) {
        const pt = Number(r[1]);
        rtpmap.set(pt, { payloadType: pt, encoding: r[2]!, clockRate: Number(r[3]), channels: r[4] ? Number(r[4]) : 1 });
      }
    } else if (a.name === 'fmtp') {
      const r = /^(\d{1,3})\s+(.*)$/.exec(v);
      if (r) fmtp.set(Number(r[1]), r[2]!);
    } else if (a.name === 'ptime' && /^\d+(\.\d+)?$/.test(v)) {
      ptime = Number(v);
    } else if (a.name === 'maxptime' && /^\d+$/.test(v)) {
      maxptime = Number(v);
    } else if (a.name === 'rtcp') {
      const r = /^(\d{1,5})(?:\s+(.+))?$/.exec(v);
      if (r && Number(r[1]) <= 65535) {
        rtcp = { port: Number(r[1]), connection: r[2] ? safeConnection(r[2]) : undefined };
      }
    }
  }
  const direction = directionOf(m.attributes);
  return {
    type: m.type,
    port: m.port,
    proto: m.proto,
    formats: m.formats,
    payloadTypes,
    rtpmap,
    fmtp,
    ptime,
    maxptime,
    direction,
    effectiveDirection: direction ?? session.direction ?? 'sendrecv',
    connection: m.connection,
    effectiveConnection: m.connection ?? session.connection,
    rtcp,
    attributes: m.attributes,
  };
}

/** A bad address inside an optional attribute is ignored, like an unknown attribute. */
function safeConnection(text: string): SdpConnection | undefined {
  try {
    return parseConnection(text, 0);
  } catch {
    return undefined;
  }
}

export function parseSdp(text: string): SessionDescription {
  const lines = text.split(/\r?\n/);
  let origin: SdpOrigin | undefined;
  let sessionName = '';
  let connection: SdpConnection | undefined;
  const sessionAttrs: SdpAttribute[] = [];
  const drafts: MediaDraft[] = [];
  let sawVersion = false;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trimEnd();
    const lineNo = i + 1;
    if (raw === '') continue;
    if (raw.length < 2 || raw[1] !== '=') throw new SdpError('line is not <type>=<value>', lineNo);
    const type = raw[0]!;
    const value = raw.slice(2);
    if (!sawVersion) {
      if (type !== 'v' || value.trim() !== '0') throw new SdpError('SDP must start with v=0', lineNo);
      sawVersion = true;
      continue;
    }
    const media = drafts[drafts.length - 1];
    switch (type) {
      case 'o':
        if (media) throw new SdpError('o= inside a media section', lineNo);
        origin = parseOrigin(value, lineNo);
        break;
      case 's':
        sessionName = value;
        break;
      case 'c':
        if (media) media.connection = parseConnection(value, lineNo);
        else connection = parseConnection(value, lineNo);
        break;
      case 'm':
        drafts.push(parseMediaLine(value, lineNo));
        break;
      case 'a':
        (media ? media.attributes : sessionAttrs).push(attribute(value));
        break;
      default:
        break; // t=, b=, i=, k=, … and unknown types: not needed for negotiation
    }
  }
  if (!sawVersion) throw new SdpError('empty SDP');
  if (!origin) throw new SdpError('missing o= line');
  const direction = directionOf(sessionAttrs);
  return {
    origin,
    sessionName,
    connection,
    direction,
    media: drafts.map((m) => finishMedia(m, { connection, direction })),
    attributes: sessionAttrs,
  };
}
