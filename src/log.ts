import { createRequire } from 'node:module';
import type { Logger } from 'pino';

/**
 * The process logger: JSON lines on stderr, so stdout stays clean for data (`--json`), with an ISO
 * `time` and the level by name; pretty-printed when stderr is a terminal. The level comes from
 * TFCTL_LOG_LEVEL (checked in config.ts; default `warn`, quiet under cron unless something fails).
 *
 * pino is loaded with the first line written (see openLog). Writes are synchronous, so a process that
 * exits right after a tick loses no line.
 */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Never logged, at any level: pino's redaction replaces these wherever a bot, client or error object
 * carries them. Messages are written by tfctl and never include them; this is the second line.
 */
export const REDACT = [
  'token', 'secret', 'password', 'authorization',
  '*.token', '*.secret', '*.password', '*.authorization',
  'accessToken', 'accessSecret', 'appSecret', 'consumerSecret', 'consumer_secret', 'oauth_token_secret',
  '*.accessToken', '*.accessSecret', '*.appSecret', '*.consumerSecret', '*.consumer_secret', '*.oauth_token_secret',
  '*.headers.authorization', 'headers.authorization',
];

/** What tfctl logs through: pino's calls it uses. */
export type Log = Pick<Logger, 'isLevelEnabled' | 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'>;

let logger: Log | undefined;

export function logLevel(env: NodeJS.ProcessEnv = process.env): string {
  return env.TFCTL_LOG_LEVEL || (env.TFCTL_DEBUG === '1' ? 'debug' : 'warn');
}

// pino's own numbers: a level is written when it is at or above the logger's.
const RANK: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

/**
 * The process logger. pino itself is loaded when the first line at an enabled level is written, so a
 * quiet run (a tick under cron at `warn` where all went well, a cold `tfctl list`) never loads it.
 */
export function openLog(): Promise<Log> {
  logger ??= lazy(logLevel());
  return Promise.resolve(logger);
}

function lazy(level: string): Log {
  const min = RANK[level] ?? RANK.warn!;
  let real: Logger | undefined;
  const write = (name: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace') =>
    ((obj: unknown, ...rest: unknown[]) => {
      if (RANK[name]! < min) return;
      real ??= create(level);
      (real[name] as (...a: unknown[]) => void)(obj, ...rest);
    }) as Logger['info'];
  return {
    isLevelEnabled: (l: string) => (RANK[l] ?? Infinity) >= min,
    fatal: write('fatal'),
    error: write('error'),
    warn: write('warn'),
    info: write('info'),
    debug: write('debug'),
    trace: write('trace'),
  };
}

function create(level: string): Logger {
  // Both are CommonJS: loaded synchronously, at the first line written.
  const require = createRequire(import.meta.url);
  const pino = require('pino') as typeof import('pino').default;
  const options = {
    level,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    redact: { paths: REDACT, censor: '***' },
  };
  if (process.stderr.isTTY) {
    const pretty = require('pino-pretty') as typeof import('pino-pretty');
    return pino(options, pretty({ destination: 2, sync: true, colorize: true }));
  }
  return pino(options, pino.destination({ dest: 2, sync: true }));
}
