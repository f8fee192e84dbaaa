/**
 * Word-level rules the turn-taking reducer applies to transcripts: is this a backchannel ("uh-huh",
 * "yeah", "okay" — the caller listening, not taking the floor), and does this utterance sound
 * finished (so endpointing may use the short silence) or cut off mid-phrase (wait for the long one).
 * Pure; no model. A turn-detector model can replace `looksComplete` later behind the same signature.
 */

export const DEFAULT_BACKCHANNELS: readonly string[] = [
  'uh-huh', 'uh huh', 'mhm', 'mm-hmm', 'mm hmm', 'hmm', 'mm', 'yeah', 'yes', 'yep', 'yup', 'ok', 'okay', 'right', 'sure',
  'i see', 'got it', 'alright', 'all right', 'cool', 'great', 'oh', 'ah',
];

/** Words after which a speaker almost never stops: the caller is probably drawing breath. */
const CONTINUATIONS = new Set(['and', 'but', 'or', 'so', 'because', 'the', 'a', 'an', 'to', 'of', 'um', 'uh', 'er', 'with', 'my', 'for', 'if', 'then', 'that', 'is', 'in', 'on', 'at', 'our', 'your']);

/** Lower case, punctuation other than in-word hyphens/apostrophes removed, spaces collapsed. */
export function normalizeText(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}'\- ]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** True when the whole utterance is one or a few backchannel tokens ("yeah okay", "mm-hmm"). */
export function isBackchannel(text: string, backchannels: readonly string[], maxWords: number): boolean {
  const norm = normalizeText(text);
  if (norm === '') return false;
  const words = norm.split(' ');
  if (words.length > maxWords) return false;
  const set = new Set(backchannels.map(normalizeText));
  if (set.has(norm)) return true;
  // "yeah okay", "uh huh right": every word (or adjacent pair) is a backchannel on its own.
  let i = 0;
  while (i < words.length) {
    const pair = i + 1 < words.length ? `${words[i]} ${words[i + 1]}` : '';
    if (pair && set.has(pair)) i += 2;
    else if (set.has(words[i]!)) i += 1;
    else return false;
  }
  return true;
}

/**
 * 'complete' when the transcript ends like a finished phrase, 'incomplete' when it ends on a
 * continuation word or a comma, 'unknown' when there is no transcript yet.
 */
export function completeness(text: string | undefined): 'complete' | 'incomplete' | 'unknown' {
  if (text === undefined) return 'unknown';
  const trimmed = text.trim();
  if (trimmed === '') return 'unknown';
  if (/[,;:\u2014-]$/.test(trimmed)) return 'incomplete';
  const words = normalizeText(trimmed).split(' ');
  const last = words[words.length - 1] ?? '';
  return CONTINUATIONS.has(last) ? 'incomplete' : 'complete';
}
