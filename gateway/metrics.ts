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
  rtpTalkspurtsEarly: new Counter({ name: 'trunkline_rtp_talkspurts_early_total', help: 'Agent talkspurts whose first RTP packet was sent at once, before its pacer tick', registers: [registry] }),
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
  codecErrors: new Counter({
    name: 'trunkline_codec_errors_total',
    help: 'Payloads or PCM a codec could not use as they stood (concealed or replaced by silence), by codec and problem',
    labelNames: ['codec', 'problem'] as const,
    registers: [registry],
  }),
  codecLostFrames: new Counter({
    name: 'trunkline_codec_lost_frames_total',
    help: "Lost inbound frames the decoder filled in, by codec and method (fec: rebuilt from the next packet's in-band FEC; plc: concealed)",
    labelNames: ['codec', 'method'] as const,
    registers: [registry],
  }),
  callErrors: new Counter({ name: 'trunkline_call_errors_total', help: 'Unexpected faults contained to one call, by stage', labelNames: ['stage'] as const, registers: [registry] }),
  lateOffers: new Counter({ name: 'trunkline_late_offer_calls_total', help: 'Offer-less INVITEs (our offer in the 200, the answer in the ACK), by outcome: connected, or why the answer was refused (BYE sent)', labelNames: ['outcome'] as const, registers: [registry] }),
  ttsSynthesisSeconds: new Histogram({
    name: 'trunkline_tts_synthesis_seconds',
    help: 'Time to synthesise a prompt, by engine',
    labelNames: ['engine'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2],
    registers: [registry],
  }),
  agentFallbacks: new Counter({ name: 'trunkline_agent_fallbacks_total', help: 'Agents replaced mid-call by the next of the fallback chain, by the failed kind', labelNames: ['from'] as const, registers: [registry] }),
  agentTurns: new Counter({ name: 'trunkline_agent_turns_total', help: 'Agent turns, by agent kind', labelNames: ['agent'] as const, registers: [registry] }),
  // Security and reliability (issue 8): admission, digest auth, limits, media hardening, session timers, faults.
  admissionRefused: new Counter({ name: 'trunkline_admission_refused_total', help: 'Out-of-dialog requests refused before any dialog, by reason and action (drop, reply)', labelNames: ['reason', 'action'] as const, registers: [registry] }),
  authResults: new Counter({ name: 'trunkline_auth_results_total', help: 'Digest authentications of INVITEs, by result (ok, challenged, failed, stale, locked-out)', labelNames: ['result'] as const, registers: [registry] }),
  sipLimitHits: new Counter({ name: 'trunkline_sip_limit_hits_total', help: 'SIP message and connection limits hit, by limit', labelNames: ['limit'] as const, registers: [registry] }),
  sessionTimerExpired: new Counter({ name: 'trunkline_session_timer_expired_total', help: 'Dialogs ended by BYE because no session refresh came (RFC 4028 §10)', registers: [registry] }),
  processFaults: new Counter({ name: 'trunkline_process_faults_total', help: 'Exceptions and rejections that escaped every handler (the process keeps running), by kind', labelNames: ['kind'] as const, registers: [registry] }),
  // Policies and actions (issue 6): routing, tools, guardrails, audit.
  routeDecisions: new Counter({ name: 'trunkline_route_decisions_total', help: 'Routing decisions, by action (agent, transfer, reject) and first agent', labelNames: ['action', 'agent'] as const, registers: [registry] }),
  toolCalls: new Counter({ name: 'trunkline_tool_calls_total', help: 'Tool calls from agents, by outcome (ok, invalid, refused, guardrail, declined, failed)', labelNames: ['outcome'] as const, registers: [registry] }),
  toolSeconds: new Histogram({
    name: 'trunkline_tool_seconds',
    help: 'Tool execution time, webhook retries included',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    registers: [registry],
  }),
  guardrailHits: new Counter({ name: 'trunkline_guardrail_hits_total', help: 'Guardrail hits, by kind (injection, never-say, limit)', labelNames: ['kind'] as const, registers: [registry] }),
  // Transfers and call control (issue 6): REFER out (result), REFER in (action).
  transfers: new Counter({ name: 'trunkline_transfers_total', help: 'Blind transfers asked for, by result (transferred, refused, rejected, failed, timeout, ended)', labelNames: ['result'] as const, registers: [registry] }),
  incomingRefers: new Counter({ name: 'trunkline_incoming_refers_total', help: 'REFERs received from the trunk, by action (rejected, accepted)', labelNames: ['action'] as const, registers: [registry] }),
  auditWriteErrors: new Counter({ name: 'trunkline_audit_write_errors_total', help: 'Audit records that could not be written', registers: [registry] }),
  // Speech-to-speech (agent/s2s): per-turn latency, barge-in, provider health and cost.
  s2sTtfaSeconds: new Histogram({
    name: 'trunkline_s2s_ttfa_seconds',
    help: "Caller's end of speech (or the agent's start, for the greeting) to the first agent audio queued for the caller",
    labelNames: ['turn'] as const,
    buckets: [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5],
    registers: [registry],
  }),
  s2sBargeInStopSeconds: new Histogram({
    name: 'trunkline_s2s_barge_in_stop_seconds',
    help: 'speech_started received to agent audio stopped on the wire (the first packet after the last agent packet sent)',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.04, 0.08],
    registers: [registry],
  }),
  s2sBargeIns: new Counter({ name: 'trunkline_s2s_barge_ins_total', help: 'Caller interruptions of agent speech', registers: [registry] }),
  s2sProviderErrors: new Counter({ name: 'trunkline_s2s_provider_errors_total', help: 'Speech-to-speech provider failures, by kind', labelNames: ['kind'] as const, registers: [registry] }),
  s2sAudioSeconds: new Counter({ name: 'trunkline_s2s_audio_seconds_total', help: 'Audio exchanged with the speech-to-speech model, by direction', labelNames: ['direction'] as const, registers: [registry] }),
  s2sTokens: new Counter({ name: 'trunkline_s2s_tokens_total', help: 'Model tokens used by speech-to-speech sessions, by kind', labelNames: ['kind'] as const, registers: [registry] }),
  s2sToolCalls: new Counter({ name: 'trunkline_s2s_tool_calls_total', help: 'Tool calls from the speech-to-speech model, by result', labelNames: ['result'] as const, registers: [registry] }),
  s2sPrewarmSeconds: new Histogram({
    name: 'trunkline_s2s_prewarm_seconds',
    help: 'INVITE (agent created) to the model session ready',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5],
    registers: [registry],
  }),
  // Cascade (agent/cascade): per-turn stage latencies, barge-in, providers, tools.
  cascadeEndpointingSeconds: new Histogram({
    name: 'trunkline_cascade_endpointing_seconds',
    help: "Caller's end of speech to the end of turn decided (silence waited)",
    buckets: [0.1, 0.25, 0.4, 0.5, 0.6, 0.8, 1, 1.5, 2, 3, 4],
    registers: [registry],
  }),
  cascadeSttFinalSeconds: new Histogram({
    name: 'trunkline_cascade_stt_final_seconds',
    help: 'End of turn to the final transcript (0 when the pause transcript was already final)',
    buckets: [0.001, 0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2],
    registers: [registry],
  }),
  cascadeLlmFirstTokenSeconds: new Histogram({
    name: 'trunkline_cascade_llm_first_token_seconds',
    help: 'Chat completion request to its first text token',
    buckets: [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 4],
    registers: [registry],
  }),
  cascadeTtsFirstAudioSeconds: new Histogram({
    name: 'trunkline_cascade_tts_first_audio_seconds',
    help: 'First sentence sent to synthesis to its first audio',
    buckets: [0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2],
    registers: [registry],
  }),
  cascadeTtfaSeconds: new Histogram({
    name: 'trunkline_cascade_ttfa_seconds',
    help: "Caller's end of speech to the first agent audio queued for the caller (includes the endpointing silence)",
    buckets: [0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 3, 5],
    registers: [registry],
  }),
  cascadeBargeInStopSeconds: new Histogram({
    name: 'trunkline_cascade_barge_in_stop_seconds',
    help: 'Caller speech onset over the agent to agent playout cleared',
    buckets: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1, 1.5],
    registers: [registry],
  }),
  cascadeBargeIns: new Counter({ name: 'trunkline_cascade_barge_ins_total', help: 'Agent speech stopped for caller speech, by outcome (interrupted, resumed)', labelNames: ['outcome'] as const, registers: [registry] }),
  cascadeEchoChunks: new Counter({ name: 'trunkline_cascade_echo_chunks_total', help: 'VAD speech chunks ignored as the agent\'s own voice coming back', registers: [registry] }),
  cascadePreemptions: new Counter({ name: 'trunkline_cascade_preemptions_total', help: 'Speculative generations on a stable interim transcript, by outcome (used, discarded)', labelNames: ['outcome'] as const, registers: [registry] }),
  cascadeProviderSeconds: new Histogram({
    name: 'trunkline_cascade_provider_seconds',
    help: 'Duration of one provider request, by provider (stt, llm, tts)',
    labelNames: ['provider'] as const,
    buckets: [0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10],
    registers: [registry],
  }),
  cascadeProviderErrors: new Counter({ name: 'trunkline_cascade_provider_errors_total', help: 'Cascade provider failures, by provider and whether retryable', labelNames: ['provider', 'retryable'] as const, registers: [registry] }),
  // Streaming STT over the Realtime transcription WebSocket (agent/providers/stt/openai-realtime.ts).
  cascadeSttConnectSeconds: new Histogram({
    name: 'trunkline_cascade_stt_connect_seconds',
    help: 'Dial to session.updated of a Realtime transcription session (TLS + upgrade + session.update)',
    buckets: [0.05, 0.1, 0.2, 0.5, 1, 2, 5],
    registers: [registry],
  }),
  cascadeSttSessions: new Counter({ name: 'trunkline_cascade_stt_sessions_total', help: 'Realtime transcription sessions, by outcome (ready, failed, dropped, closed)', labelNames: ['outcome'] as const, registers: [registry] }),
  cascadeSttCommits: new Counter({ name: 'trunkline_cascade_stt_commits_total', help: 'Audio commits of the Realtime transcription session, by kind (interim, final, skipped-silence, refused)', labelNames: ['kind'] as const, registers: [registry] }),
  cascadeSttAudioDropped: new Counter({ name: 'trunkline_cascade_stt_audio_dropped_total', help: 'Caller audio chunks not sent to the recogniser, by reason (queue-full, too-long, no-session)', labelNames: ['reason'] as const, registers: [registry] }),
  cascadeToolCalls: new Counter({ name: 'trunkline_cascade_tool_calls_total', help: 'Tool calls from the cascade model, by result (ok, invalid, failed)', labelNames: ['result'] as const, registers: [registry] }),
  // Production path (issue 7): WebSocket media legs (mod_audio_fork, Twilio), drachtio-server and FreeSWITCH.
  streamConnections: new Counter({ name: 'trunkline_stream_connections_total', help: 'Media WebSocket connections, by leg (fork, twilio) and result (started, bad-path, bad-signature, no-start, no-metadata, unknown-call, bad-format, …)', labelNames: ['leg', 'result'] as const, registers: [registry] }),
  streamMessagesDropped: new Counter({ name: 'trunkline_stream_messages_dropped_total', help: 'Media WebSocket messages ignored, by leg and reason', labelNames: ['leg', 'reason'] as const, registers: [registry] }),
  drachtioConnected: new Gauge({ name: 'trunkline_drachtio_connected', help: '1 while connected to drachtio-server', registers: [registry] }),
  drachtioReconnects: new Counter({ name: 'trunkline_drachtio_reconnects_total', help: 'Connections to drachtio-server lost and retried', registers: [registry] }),
  freeswitchServers: new Gauge({ name: 'trunkline_freeswitch_servers', help: 'FreeSWITCH media servers, by health (up, down)', labelNames: ['health'] as const, registers: [registry] }),
  freeswitchEndpointErrors: new Counter({ name: 'trunkline_freeswitch_endpoint_errors_total', help: 'FreeSWITCH endpoint operations that failed, by operation', labelNames: ['op'] as const, registers: [registry] }),
};
