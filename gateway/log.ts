import { pino, destination, stdTimeFunctions, type Logger } from 'pino';

export type { Logger };

/**
 * Structured logs with static messages. Personal data (numbers, transcripts, digits, tool arguments)
 * goes only under `pii.*` keys, which are removed unless `logging.pii` is on (design §4.9).
 */
export function createLogger(opts: { level?: string; pii?: boolean; destination?: number } = {}): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      base: { svc: 'trunkline' },
      redact: opts.pii ? [] : { paths: ['pii', '*.pii'], remove: true },
      timestamp: stdTimeFunctions.isoTime,
    },
    destination({ dest: opts.destination ?? 1, sync: false }),
  );
}

/** A logger that writes nothing, for tests. */
export const silentLogger: Logger = pino({ level: 'silent' });
