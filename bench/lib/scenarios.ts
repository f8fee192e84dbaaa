/**
 * SIPp UAC scenarios generated per run (the hold time and the codec vary), in SIPp's XML:
 *
 *  - `mediaCallXml`: INVITE offering one codec → 200 → ACK → play a pcap in a loop for the hold time
 *    (play_pcap_audio runs in its own thread; starting it again replaces the previous play) → BYE.
 *  - `setupCallXml`: INVITE → 200 (response time measured from the INVITE, rtd 1) → ACK → short hold → BYE.
 *
 * The SDP's `[media_port]` is SIPp's -mp socket, which SIPp binds and never reads without -rtp_echo:
 * the gateway's packets are captured on the wire and then dropped by the kernel at that socket.
 */

export interface OfferCodec {
  readonly payloadType: number;
  /** `a=rtpmap` value, e.g. `PCMA/8000`. */
  readonly rtpmap: string;
  readonly fmtp?: string;
}

function invite(codec: OfferCodec): string {
  return `
  <send retrans="500" start_rtd="1">
    <![CDATA[

      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];rport;branch=[branch]
      From: bench <sip:bench@[local_ip]:[local_port]>;tag=[pid]B[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:bench@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=bench 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP ${codec.payloadType} 101
      a=rtpmap:${codec.payloadType} ${codec.rtpmap}${codec.fmtp ? `\n      a=fmtp:${codec.payloadType} ${codec.fmtp}` : ''}
      a=rtpmap:101 telephone-event/8000
      a=fmtp:101 0-15
      a=ptime:20
      a=sendrecv

    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rtd="1" rrs="true"/>
  <send>
    <![CDATA[

      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];rport;branch=[branch]
      From: bench <sip:bench@[local_ip]:[local_port]>;tag=[pid]B[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>`;
}

const BYE = `
  <send retrans="500">
    <![CDATA[

      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];rport;branch=[branch]
      From: bench <sip:bench@[local_ip]:[local_port]>;tag=[pid]B[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" crlf="true"/>`;

function wrap(name: string, body: string): string {
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="${name}">${body}
  <ResponseTimeRepartition value="1, 2, 5, 10, 20, 50, 100, 200, 500"/>
  <CallLengthRepartition value="1000, 5000, 10000, 30000, 60000"/>
</scenario>
`;
}

/** A call that sends `pcap` (of length `pcapMs`) over and over for `holdMs`, then hangs up. */
export function mediaCallXml(codec: OfferCodec, pcap: string, pcapMs: number, holdMs: number): string {
  if (!(pcapMs > 0) || !(holdMs > 0)) throw new RangeError('pcapMs and holdMs must be positive');
  const parts: string[] = [];
  // Unrolled (bounded: holdMs / pcapMs plays) rather than a SIPp jump loop: simpler to read in traces.
  for (let left = holdMs; left > 0; left -= pcapMs) {
    parts.push(`
  <nop><action><exec play_pcap_audio="${pcap}"/></action></nop>
  <pause milliseconds="${Math.round(Math.min(pcapMs, left))}"/>`);
  }
  return wrap('bench media call', invite(codec) + parts.join('') + BYE);
}

/** A call that is set up, held `holdMs` without sending media, and hung up. */
export function setupCallXml(codec: OfferCodec, holdMs: number): string {
  return wrap('bench call set-up', `${invite(codec)}\n  <pause milliseconds="${Math.round(holdMs)}"/>${BYE}`);
}
