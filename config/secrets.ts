import type { PathSegment } from './key-path.ts';

/**
 * Secrets are never read from the config file: files get committed, shared and printed. A key whose
 * name looks like a credential is refused with a pointer to the environment variable to use instead.
 * Matched on the normalised key's ending so `openaiApiKey` is caught but `maxTokens` is not.
 */
const SECRET_ENDINGS = ['apikey', 'secret', 'secretkey', 'password', 'passwd', 'token', 'privatekey', 'credential', 'credentials'];

export function looksLikeSecret(key: string): boolean {
  const k = key.toLowerCase().replace(/[-_]/g, '');
  return SECRET_ENDINGS.some((end) => k.endsWith(end));
}

/** The environment variable name suggested for a secret found at `path`, e.g. OPENAI_API_KEY. */
export function envNameFor(path: readonly PathSegment[]): string {
  const named = path.filter((s): s is string => typeof s === 'string');
  const last = named[named.length - 1] ?? 'SECRET';
  const owner = named.length >= 2 ? named[named.length - 2]! : 'TRUNKLINE';
  const snake = (s: string): string => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();
  return `${snake(owner)}_${snake(last)}`;
}

/** The path of the first secret-looking key anywhere in `data`, or undefined. */
export function findSecret(data: unknown, path: PathSegment[] = []): PathSegment[] | undefined {
  if (Array.isArray(data)) {
    for (let i = 0; i < data.length; i++) {
      const found = findSecret(data[i], [...path, i]);
      if (found) return found;
    }
    return undefined;
  }
  if (data === null || typeof data !== 'object') return undefined;
  for (const [key, value] of Object.entries(data)) {
    const here = [...path, key];
    if (looksLikeSecret(key)) return here;
    const found = findSecret(value, here);
    if (found) return found;
  }
  return undefined;
}
