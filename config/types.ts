/**
 * The shape of the gateway's configuration after `loadConfig()` (config/load.ts) has validated it against
 * `config/schema.json` and filled defaults. Secrets never live here: they come from the environment.
 */
export type CodecPreference = 'PCMU' | 'PCMA' | 'G722' | 'opus';

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
  /** What happens after: go to another menu, repeat this one, or hang up. */
  readonly then: { readonly goto: string } | 'repeat' | 'hangup';
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
  /** Re-prompt after this many seconds without input; hang up after `maxRepeats` re-prompts. */
  readonly inputTimeoutSec: number;
  readonly maxRepeats: number;
  /** espeak-ng voice, speaking-rate factor (1 = normal) and the directory (absolute after loading) for cached prompts. */
  readonly tts: { readonly voice: string; readonly speed: number; readonly cacheDir: string };
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
  readonly trunks: readonly TrunkConfig[];
  readonly agent: { readonly default: 'menu'; readonly menu: VoiceMenuConfig };
  readonly calls: {
    readonly maxDurationSec: number;
    readonly maxConcurrent: number;
    /** Ringing (180) before the 200 OK, in milliseconds; 0 answers at once. */
    readonly answerDelayMs: number;
    /** On SIGTERM, how long calls in progress may go on before they are ended. */
    readonly drainTimeoutSec: number;
  };
  readonly logging: { readonly level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent'; readonly pii: boolean };
}

/** A partial view of a config, for overrides (tests use them to pick free ports). Arrays are replaced whole. */
export type DeepPartial<T> = T extends readonly (infer _U)[]
  ? T
  : T extends object
    ? { -readonly [K in keyof T]?: DeepPartial<T[K]> }
    : T;
