import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every metric of the gateway, declared in one place with bounded labels (design §4.11). Label values
 * are closed sets: SIP methods outside the known list are counted as "other", statuses as numbers.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'trunkline_process_' });

const KNOWN_METHODS = new Set(['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'INFO', 'REFER', 'NOTIFY', 'UPDATE', 'PRACK', 'REGISTER', 'SUBSCRIBE', 'MESSAGE', 'PUBLISH']);
/** Bounds the method label: unknown extension methods share one series. */
export function methodLabel(method: string): string {
  return KNOWN_METHODS.has(method) ? method : 'other';
}

export const metrics = {
  activeCalls: new Gauge({ name: 'trunkline_active_calls', help: 'Calls currently in progress', registers: [registry] }),
  callsTotal: new Counter({ name: 'trunkline_calls_total', help: 'Calls ended, by termination result', labelNames: ['result'] as const, registers: [registry] }),
  callSetupSeconds: new Histogram({
    name: 'trunkline_call_setup_seconds',
    help: 'INVITE received to 200 OK sent',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  }),
  callDurationSeconds: new Histogram({
    name: 'trunkline_call_duration_seconds',
    help: 'Answered call duration',
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [registry],
  }),
  sipRequestsIn: new Counter({ name: 'trunkline_sip_requests_received_total', help: 'SIP requests received, by method', labelNames: ['method', 'transport'] as const, registers: [registry] }),
  sipResponsesOut: new Counter({ name: 'trunkline_sip_responses_sent_total', help: 'SIP responses sent, by method and status', labelNames: ['method', 'status'] as const, registers: [registry] }),
  sipRequestsOut: new Counter({ name: 'trunkline_sip_requests_sent_total', help: 'SIP requests sent, by method', labelNames: ['method'] as const, registers: [registry] }),
  sipResponsesIn: new Counter({ name: 'trunkline_sip_responses_received_total', help: 'SIP responses received, by method and status', labelNames: ['method', 'status'] as const, registers: [registry] }),
  sipParseErrors: new Counter({ name: 'trunkline_sip_parse_errors_total', help: 'SIP messages that could not be parsed, by transport and what happened', labelNames: ['transport', 'action'] as const, registers: [registry] }),
  sipDropped: new Counter({ name: 'trunkline_sip_dropped_total', help: 'SIP messages dropped, by reason', labelNames: ['reason'] as const, registers: [registry] }),
  sipRetransmissions: new Counter({ name: 'trunkline_sip_retransmissions_total', help: 'Responses and requests retransmitted by our transactions', labelNames: ['method'] as const, registers: [registry] }),
  rtpPacketsIn: new Counter({ name: 'trunkline_rtp_packets_received_total', help: 'RTP packets accepted from callers', registers: [registry] }),
  rtpPacketsOut: new Counter({ name: 'trunkline_rtp_packets_sent_total', help: 'RTP packets sent to callers', registers: [registry] }),
  rtpPacketsLost: new Counter({ name: 'trunkline_rtp_packets_lost_total', help: 'Inbound RTP packets never received (sequence gaps)', registers: [registry] }),
  rtpPacketsDropped: new Counter({ name: 'trunkline_rtp_packets_dropped_total', help: 'Inbound RTP packets dropped, by reason', labelNames: ['reason'] as const, registers: [registry] }),
  rtpJitterMs: new Histogram({
    name: 'trunkline_rtp_jitter_ms',
    help: 'Inbound interarrival jitter per call at call end (RFC 3550 §6.4.1)',
    buckets: [1, 2, 5, 10, 20, 40, 80, 160],
    registers: [registry],
  }),
  rtcpPacketsIn: new Counter({ name: 'trunkline_rtcp_packets_received_total', help: 'RTCP packets received', registers: [registry] }),
  dtmfDigits: new Counter({ name: 'trunkline_dtmf_digits_total', help: 'DTMF digits received, by carrier', labelNames: ['source'] as const, registers: [registry] }),
  pacerSkippedTicks: new Counter({ name: 'trunkline_pacer_skipped_ticks_total', help: '20 ms ticks skipped after event-loop stalls', registers: [registry] }),
  playoutDroppedMs: new Counter({ name: 'trunkline_playout_dropped_ms_total', help: 'Agent audio dropped because a playout queue was full', registers: [registry] }),
  callErrors: new Counter({ name: 'trunkline_call_errors_total', help: 'Unexpected faults contained to one call, by stage', labelNames: ['stage'] as const, registers: [registry] }),
  ttsSynthesisSeconds: new Histogram({
    name: 'trunkline_tts_synthesis_seconds',
    help: 'Time to synthesise a prompt, by engine',
    labelNames: ['engine'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2],
    registers: [registry],
  }),
  agentFallbacks: new Counter({ name: 'trunkline_agent_fallbacks_total', help: 'Agents replaced mid-call by the next of the fallback chain, by the failed kind', labelNames: ['from'] as const, registers: [registry] }),
  agentTurns: new Counter({ name: 'trunkline_agent_turns_total', help: 'Agent turns, by agent kind', labelNames: ['agent'] as const, registers: [registry] }),
};
