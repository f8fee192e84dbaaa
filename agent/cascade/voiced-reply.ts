import { performance } from 'node:perf_hooks';
import type { Playout } from '../../gateway/media/playout.ts';
import { metrics } from '../../gateway/metrics.ts';
import type { StreamingTts } from '../providers/tts/streaming.ts';
import type { Reply } from './reply.ts';
import { SentenceSplitter } from './sentence-splitter.ts';
import { ReplySpeaker } from './speaker.ts';
import type { TurnTimeline } from './turn-timeline.ts';

/**
 * A reply given a voice: the model's text split into sentences as it streams, each sentence past the
 * persona's never-say guard handed to a ReplySpeaker. Held (`held: true`), it is a speculative reply
 * made while the caller's turn may still go on: the model writes and the voice synthesises, but no
 * audio is queued until the session `resume()`s it at the end of the turn — so the first packet can
 * leave on the tick after the endpoint instead of a synthesis round trip later. A held reply that
 * fails is only dropped (the turn it guessed may never come); the session regenerates if it does.
 */
export interface VoicedReplyOptions {
  readonly id: string;
  readonly playout: Playout;
  readonly tts: StreamingTts;
  /** The model's reply, or undefined with `fixed` text (the greeting). */
  readonly reply: Reply | undefined;
  readonly fixed?: string;
  readonly timeline?: TurnTimeline;
  readonly held?: boolean;
  /** The persona's guard; a blocked sentence and everything after it is never spoken. */
  readonly allowSpeech?: (sentence: string) => boolean;
  readonly onQueued: (pcm: Int16Array, sampleRate: number, sentAt: number) => void;
  /** The first audio is queued for the caller (after `resume()` for a held reply). */
  readonly onFirstAudio: (now: number) => void;
  /** A provider failed while this reply was live (not while held: then it is stopped instead). */
  readonly onFailed: (provider: 'llm' | 'tts', err: unknown) => void;
  /** Whether this reply is the session's live one (false while held or after it was replaced). */
  readonly isLive: (speaker: ReplySpeaker) => boolean;
  readonly log?: (fields: Record<string, unknown>, msg: string) => void;
}

export function voiceReply(o: VoicedReplyOptions): ReplySpeaker {
  let ttsStart = 0;
  const { timeline, reply } = o;
  const fail = (provider: 'llm' | 'tts', err: unknown): void => {
    if (speaker.stopped) return;
    if (o.isLive(speaker)) o.onFailed(provider, err);
    else {
      // A speculative reply that failed is dropped; respond() sees it aborted and generates anew.
      reply?.abort();
      speaker.stop();
    }
  };
  const speaker: ReplySpeaker = new ReplySpeaker(o.id, o.playout, o.tts, {
    held: o.held === true,
    onQueued: o.onQueued,
    onFirstAudio: () => {
      const now = performance.now();
      timeline?.mark('ttsFirstAudio', now);
      const chunkAt = speaker.firstChunkAt;
      if (ttsStart && chunkAt !== undefined) metrics.cascadeTtsFirstAudioSeconds.observe((chunkAt - ttsStart) / 1000);
      o.onFirstAudio(now);
    },
    onFirstPacket: (at) => {
      if (!timeline) return;
      timeline.mark('firstPacket', at);
      if (reply?.firstTextAt !== undefined) timeline.mark('llmFirstText', reply.firstTextAt);
      // One line per turn: where the time between the caller's voice end and our first packet went.
      o.log?.({ turn: timeline.relative(), voiceEndEpochMs: timeline.voiceEndEpochMs() }, 'turn timing');
    },
    onError: (err) => fail('tts', err),
  });
  let blocked = false;
  const say = (s: string): void => {
    if (blocked || (o.allowSpeech && !o.allowSpeech(s))) {
      blocked = true;
      return;
    }
    if (!ttsStart) ttsStart = performance.now();
    timeline?.mark('firstSentence', ttsStart);
    speaker.say(s);
  };
  if (o.fixed !== undefined) {
    say(o.fixed);
    speaker.end();
  } else if (reply) {
    const splitter = new SentenceSplitter();
    reply.attach((d) => splitter.push(d).forEach(say));
    reply.finished.then(
      () => {
        if (speaker.stopped) return;
        splitter.flush().forEach(say);
        speaker.end();
      },
      (err: unknown) => fail('llm', err),
    );
  }
  return speaker;
}
