/**
 * The shape of the gateway's configuration after `loadConfig()` (config/load.ts) has validated it against
 * `config/schema.json` and filled defaults. Secrets never live here: they come from the environment.
 */
export type CodecPreference = 'PCMU' | 'PCMA' | 'G722' | 'opus';

/** Opus settings used when opus is negotiated (codecs/opus/params.ts turns them into libopus settings). */
export interface OpusConfig {
  /** Internal PCM rate: 16000 (wideband) or 24000 (super-wideband), capped by the peer's fmtp. */
  readonly rate: 16000 | 24000;
  /** libopus complexity 0–10. */
  readonly complexity: number;
  readonly bitrateKbps: number;
}

export interface TrunkConfig {
  readonly name: string;
  /** Source addresses allowed to send INVITEs for this trunk, as CIDRs (IPv4 or IPv6). */
  readonly allowedCidrs: readonly string[];
}

export interface MenuOption {
  /** The DTMF digit that selects it. */
  readonly digit: string;
  /** Prompt spoken when chosen. */
  readonly say?: string;
  /** What happens after: go to another menu, repeat this one, hang up, or transfer (blind, SIP REFER) to an allowed target. */
  readonly then: { readonly goto: string } | { readonly transfer: string } | 'repeat' | 'hangup';
}

export interface MenuDefinition {
  readonly prompt: string;
  readonly options: readonly MenuOption[];
}

export interface VoiceMenuConfig {
  readonly greeting: string;
  readonly goodbye: string;
  /** Name of the first menu in `menus`. */
  readonly start: string;
  readonly menus: Readonly<Record<string, MenuDefinition>>;
  /** Spoken when a digit matches no option. */
  readonly invalid: string;
  /** Spoken when a transfer fails (refused, target busy, no answer); then the menu goes on. */
  readonly transferFailed: string;
  /** Spoken first when the menu takes over a call from an AI agent that failed (issue 4 §6). */
  readonly fallbackApology: string;
  /** Re-prompt after this many seconds without input; hang up after `maxRepeats` re-prompts. */
  readonly inputTimeoutSec: number;
  readonly maxRepeats: number;
  /** espeak-ng voice, speaking-rate factor (1 = normal) and the directory (absolute after loading) for cached prompts. */
  readonly tts: { readonly voice: string; readonly speed: number; readonly cacheDir: string };
}

/** Token-bucket rate: `ratePerSec` on average (0 = unlimited), `burst` at once. */
export interface RateConfig {
  readonly ratePerSec: number;
  readonly burst: number;
}

/** Hostile-input limits, admission, trunk authentication, media hardening and session timers (issue 8). */
export interface SecurityConfig {
  readonly limits: {
    readonly udpMaxBytes: number;
    readonly maxHeaders: number;
    readonly maxLineBytes: number;
    readonly tcpMessageTimeoutMs: number;
    readonly tcpMaxConnectionsPerSource: number;
  };
  readonly admission: {
    readonly perSource: RateConfig;
    readonly perTrunk: RateConfig;
    readonly overRate: 'drop' | 'reply';
    readonly maxConcurrentPerTrunk: number;
    readonly retryAfterSec: number;
    readonly scannerUserAgents: readonly string[];
  };
  readonly auth: {
    readonly realm: string;
    /** Credentials come from the named environment variables, never from the file. */
    readonly trunks: readonly { readonly trunk: string; readonly usernameEnv: string; readonly passwordEnv: string }[];
    readonly algorithms: readonly ('SHA-256' | 'MD5')[];
    readonly nonceTtlSec: number;
    readonly maxFailures: number;
    readonly failureWindowSec: number;
    readonly lockoutSec: number;
  };
  readonly media: { readonly latchWindowMs: number; readonly maxPacketsPerSec: number; readonly portQuarantineMs: number };
  readonly sessionTimers: { readonly enabled: boolean; readonly minSE: number; readonly sessionExpires: number };
}

/** Blind transfers with SIP REFER (RFC 3515). */
export interface TransfersConfig {
  /** SIP URIs, or patterns where `*` matches a run of characters other than `@ ; ?`; anything else is refused. */
  readonly allowedTargets: readonly string[];
  /**
   * A REFER from the trunk: `reject` answers 403; `accept` answers 202 and then reports, in the final
   * NOTIFY, 503 — this gateway cannot place the outbound call a REFER asks for (yet).
   */
  readonly incomingRefer: 'reject' | 'accept';
  /** Seconds to wait for the final NOTIFY before the transfer counts as failed. */
  readonly timeoutSec: number;
}

/** Where an OpenAI-compatible REST API is and how to reach it; the key comes from the environment. */
export interface OpenAiEndpointConfig {
  /** Else OPENAI_BASE_URL, else the public API. */
  readonly baseUrl?: string;
  /** Name of the environment variable holding the key (OPENAI_API_KEY by default). */
  readonly apiKeyEnv: string;
  readonly timeoutMs: number;
  readonly maxRetries: number;
}

/** The cascade agent (issue 5): VAD → STT → LLM → TTS with turn taking and barge-in. */
export interface CascadeConfig {
  readonly instructions: string;
  readonly greeting?: string;
  /** Domain words given to the recogniser as its prompt (lexical biasing). */
  readonly vocabulary: readonly string[];
  readonly turn: {
    readonly minSilenceMs: number;
    readonly maxSilenceMs: number;
    readonly minSpeechMs: number;
    readonly bargeInMinSpeechMs: number;
    readonly falseInterruptionMs: number;
    readonly preemptive: boolean;
    readonly backchannels?: readonly string[];
  };
  readonly vad: { readonly threshold: number; readonly batch: boolean };
  readonly echo: { readonly enabled: boolean; readonly maxLagMs: number; readonly maxRatio: number };
  readonly stt: OpenAiEndpointConfig & {
    readonly model: string;
    readonly language: string;
    readonly interimEveryMs: number;
    /** realtime: streamed over the Realtime transcription WebSocket; rest: POST /audio/transcriptions. */
    readonly transport: 'realtime' | 'rest';
    readonly noiseReduction: 'near_field' | 'far_field' | 'off';
    readonly audioFormat: 'auto' | 'pcmu' | 'pcm16';
  };
  readonly llm: OpenAiEndpointConfig & { readonly model: string; readonly temperature?: number; readonly maxToolRounds: number };
  readonly tts: OpenAiEndpointConfig & { readonly engine: 'openai' | 'espeak'; readonly model: string; readonly voice: string; readonly speed: number };
}

/** The speech-to-speech agent (issue 4): OpenAI Realtime. The key comes only from OPENAI_API_KEY. */
export interface S2sConfig {
  readonly model: string;
  readonly voice: string;
  readonly instructions: string;
  /** Instructions for the first response at answer; '' waits for the caller to speak first. */
  readonly greeting: string;
  readonly turnDetection: {
    readonly type: 'server_vad' | 'semantic_vad';
    readonly threshold: number;
    readonly prefixPaddingMs: number;
    readonly silenceDurationMs: number;
    readonly eagerness: 'low' | 'medium' | 'high' | 'auto';
  };
  readonly noiseReduction: 'near_field' | 'far_field' | 'off';
  readonly transcriptionModel: string;
  /** G.711 calls exchange G.711 with the model directly (no resampling). */
  readonly g711Passthrough: boolean;
  /** Built-in tools the model may call. */
  readonly tools: readonly ('end_call' | 'send_dtmf')[];
  /** Else OPENAI_BASE_URL, else the public API. */
  readonly baseUrl?: string;
  /** Per-persona overrides of where and what to call. */
  readonly personas: Readonly<Record<string, { readonly baseUrl?: string; readonly model?: string; readonly voice?: string }>>;
  readonly connectTimeoutMs: number;
  readonly responseTimeoutMs: number;
}

/** Routing, personas, tools and audit (issue 6; policies/routing.ts, policies/personas.ts, agent/tools/). */
export type AgentKindConfig = 'menu' | 'cascade' | 's2s';

export interface RouteRuleConfig {
  readonly agent?: AgentKindConfig;
  readonly byBand?: { readonly narrow?: AgentKindConfig; readonly wide?: AgentKindConfig; readonly super?: AgentKindConfig };
  readonly fallback?: readonly AgentKindConfig[];
  readonly persona?: string;
  /** Answer 302 with this URI as Contact: the trunk sends the call there (RFC 3261 §21.3.3). */
  readonly transfer?: string;
  readonly reject?: { readonly status: number; readonly reason?: string };
}

export interface RoutingConfig {
  readonly default: RouteRuleConfig;
  readonly trunks: Readonly<Record<string, RouteRuleConfig>>;
  /** Exact dialed numbers or prefixes ending in `*`. */
  readonly numbers: Readonly<Record<string, RouteRuleConfig>>;
  readonly headerRules: readonly (RouteRuleConfig & { readonly match: { readonly header: string; readonly pattern: string; readonly trunk?: string } })[];
  /** Inbound headers that become persona variables; `x-*` style prefixes allowed. */
  readonly contextHeaders: readonly string[];
}

export interface PersonaConfig {
  readonly instructions: string;
  readonly greeting?: string;
  readonly voice?: string;
  readonly language: string;
  readonly vocabulary: readonly string[];
  readonly tools: readonly string[];
  readonly neverSay: readonly string[];
  readonly variables: Readonly<Record<string, string>>;
  readonly limits: { readonly maxCallSec?: number; readonly maxToolCalls: number };
}

export interface ToolDeclarationConfig {
  readonly name: string;
  readonly description: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly destructive: boolean;
  readonly confirmPrompt?: string;
  readonly webhook?: {
    readonly url: string;
    readonly timeoutMs: number;
    readonly retries: number;
    readonly maxReplyBytes: number;
    readonly fillerAfterMs: number;
    /** Environment variable holding a bearer token. */
    readonly bearerEnv?: string;
  };
}

export interface ToolsConfig {
  readonly maxArgumentBytes: number;
  readonly filler: string;
  readonly confirmation: { readonly listenSec: number; readonly maxAsks: number; readonly yesDigit: string; readonly noDigit: string };
  readonly declarations: readonly ToolDeclarationConfig[];
}

export interface AuditConfig {
  readonly enabled: boolean;
  /** Absolute after loading. */
  readonly dir: string;
  readonly redactPii: boolean;
  readonly transcripts: boolean;
}

export interface Config {
  readonly sip: {
    /** Address to bind, e.g. 0.0.0.0 or 127.0.0.1. */
    readonly bind: string;
    /**
     * Address written in Contact/Via/SDP when it differs from `bind` (NAT, 0.0.0.0 binds). Always set
     * by `loadConfig()`: detected (first non-internal IPv4, else 127.0.0.1) when the file leaves it out.
     */
    readonly advertise?: string;
    readonly udpPort: number;
    readonly tcpPort: number;
    /** User part of the URI printed for callers. */
    readonly user: string;
    readonly maxMessageBytes: number;
  };
  readonly rtp: {
    readonly portMin: number;
    readonly portMax: number;
    readonly jitterBufferMs: { readonly min: number; readonly max: number };
    /** Seconds without inbound RTP (not on hold) before the call is ended. */
    readonly mediaTimeoutSec: number;
  };
  readonly http: { readonly bind: string; readonly port: number };
  /** Preferred codecs, most preferred first. */
  readonly codecs: readonly CodecPreference[];
  readonly opus: OpusConfig;
  readonly trunks: readonly TrunkConfig[];
  readonly agent: { readonly default: 'menu' | 's2s' | 'cascade'; readonly menu: VoiceMenuConfig; readonly cascade: CascadeConfig; readonly s2s: S2sConfig };
  readonly calls: {
    readonly maxDurationSec: number;
    readonly maxConcurrent: number;
    /** Ringing (180) before the 200 OK, in milliseconds; 0 answers at once. */
    readonly answerDelayMs: number;
    /** On SIGTERM, how long calls in progress may go on before they are ended. */
    readonly drainTimeoutSec: number;
  };
  readonly security: SecurityConfig;
  readonly transfers: TransfersConfig;
  readonly routing: RoutingConfig;
  readonly personas: Readonly<Record<string, PersonaConfig>>;
  readonly tools: ToolsConfig;
  readonly audit: AuditConfig;
  readonly logging: { readonly level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent'; readonly pii: boolean };
  readonly signaling: SignalingConfig;
  readonly media: MediaBackendConfig;
  readonly twilio: TwilioConfig;
}

/** A partial view of a config, for overrides (tests use them to pick free ports). Arrays are replaced whole. */
export type DeepPartial<T> = T extends readonly (infer _U)[]
  ? T
  : T extends object
    ? { -readonly [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** Which SIP stack receives calls (issue 7). The drachtio secret comes from the variable `secretEnv` names. */
export interface SignalingConfig {
  readonly backend: 'embedded' | 'drachtio';
  readonly drachtio: { readonly host: string; readonly port: number; readonly secretEnv: string };
}

/** Which media leg carries SIP calls' audio; `freeswitch` needs `signaling.backend: drachtio`. */
export interface MediaBackendConfig {
  readonly backend: 'rtp' | 'freeswitch';
  readonly freeswitch: {
    readonly servers: readonly { readonly address: string; readonly port: number; readonly secretEnv: string }[];
    readonly profile: string;
    readonly listenAddress: string;
    readonly heartbeatTimeoutSec: number;
    readonly fork: {
      readonly bind: string;
      readonly port: number;
      readonly advertise?: string;
      readonly sampleRate: 8000 | 16000;
      /** Bidirectional streaming (jambonz's mod_audio_fork); false: playAudio files played with ep.play. */
      readonly streaming: boolean;
      readonly metadataTimeoutMs: number;
    };
  };
}

/** Twilio Media Streams ingress (`<Connect><Stream url="wss://…/twilio/stream">`). */
export interface TwilioConfig {
  readonly enabled: boolean;
  readonly bind: string;
  readonly port: number;
  readonly path: string;
  readonly trunk: string;
  readonly startTimeoutMs: number;
  readonly authTokenEnv?: string;
  readonly publicUrl?: string;
}
