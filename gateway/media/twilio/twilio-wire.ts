/**
 * Twilio Media Streams wire types (https://www.twilio.com/docs/voice/media-streams/websocket-messages).
 * Twilio is the WebSocket client; every message is a JSON text frame with an `event` field.
 * Inbound: connected, start, media, dtmf, mark, stop. Outbound: media, mark, clear.
 * Audio is always μ-law (audio/x-mulaw) at 8000 Hz, mono, base64 in `media.payload`.
 */

export interface TwilioConnected {
  readonly event: 'connected';
  readonly protocol: string;
  readonly version: string;
}

export interface TwilioStart {
  readonly event: 'start';
  readonly sequenceNumber: string;
  readonly streamSid: string;
  readonly start: {
    readonly streamSid: string;
    readonly accountSid: string;
    readonly callSid: string;
    readonly tracks: readonly string[];
    readonly customParameters: Readonly<Record<string, string>>;
    readonly mediaFormat: { readonly encoding: string; readonly sampleRate: number; readonly channels: number };
  };
}

export interface TwilioMedia {
  readonly event: 'media';
  readonly sequenceNumber: string;
  readonly streamSid: string;
  readonly media: { readonly track: string; readonly chunk: string; readonly timestamp: string; readonly payload: string };
}

export interface TwilioDtmf {
  readonly event: 'dtmf';
  readonly streamSid: string;
  readonly sequenceNumber: string;
  readonly dtmf: { readonly track: string; readonly digit: string };
}

export interface TwilioMark {
  readonly event: 'mark';
  readonly streamSid: string;
  readonly sequenceNumber: string;
  readonly mark: { readonly name: string };
}

export interface TwilioStop {
  readonly event: 'stop';
  readonly streamSid: string;
  readonly sequenceNumber: string;
  readonly stop: { readonly accountSid: string; readonly callSid: string };
}

export type TwilioInbound = TwilioConnected | TwilioStart | TwilioMedia | TwilioDtmf | TwilioMark | TwilioStop;

/** What we send back. */
export type TwilioOutbound =
  | { readonly event: 'media'; readonly streamSid: string; readonly media: { readonly payload: string } }
  | { readonly event: 'mark'; readonly streamSid: string; readonly mark: { readonly name: string } }
  | { readonly event: 'clear'; readonly streamSid: string };

export type ParseProblem = 'not-json' | 'not-object' | 'unknown-event' | 'missing-field';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';

/**
 * Parses one text frame strictly enough that the leg can trust the fields it reads; anything else
 * is a `ParseProblem` (counted and ignored by the caller, never thrown).
 */
export function parseTwilioMessage(text: string): TwilioInbound | ParseProblem {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return 'not-json';
  }
  if (!isObj(v)) return 'not-object';
  switch (v['event']) {
    case 'connected':
      return v as unknown as TwilioConnected;
    case 'start': {
      const s = v['start'];
      if (!isObj(s) || !isStr(s['streamSid']) || !isStr(s['callSid'])) return 'missing-field';
      const fmt = s['mediaFormat'];
      if (!isObj(fmt) || !isStr(fmt['encoding'])) return 'missing-field';
      const params = isObj(s['customParameters']) ? s['customParameters'] : {};
      const custom: Record<string, string> = {};
      for (const [k, val] of Object.entries(params)) if (isStr(val)) custom[k] = val;
      return { ...(v as unknown as TwilioStart), start: { ...(s as unknown as TwilioStart['start']), customParameters: custom } };
    }
    case 'media': {
      const m = v['media'];
      if (!isObj(m) || !isStr(m['payload'])) return 'missing-field';
      return v as unknown as TwilioMedia;
    }
    case 'dtmf': {
      const d = v['dtmf'];
      if (!isObj(d) || !isStr(d['digit'])) return 'missing-field';
      return v as unknown as TwilioDtmf;
    }
    case 'mark': {
      const m = v['mark'];
      if (!isObj(m) || !isStr(m['name'])) return 'missing-field';
      return v as unknown as TwilioMark;
    }
    case 'stop':
      return v as unknown as TwilioStop;
    default:
      return 'unknown-event';
  }
}
