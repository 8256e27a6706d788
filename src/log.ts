import type { Logger } from 'pino';

/**
 * The process logger: JSON lines on stderr, so stdout stays clean for data (`--json`), with an ISO
 * `time` and the level by name; pretty-printed when stderr is a terminal. The level comes from
 * TFCTL_LOG_LEVEL (checked in config.ts; default `warn`, quiet under cron unless something fails).
 *
 * pino is loaded on first use (openLog is async): commands that never log, like a cold `tfctl list`,
 * do not pay for it. Writes are synchronous, so a process that exits right after a tick loses no line.
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

let logger: Promise<Logger> | undefined;

export function logLevel(env: NodeJS.ProcessEnv = process.env): string {
  return env.TFCTL_LOG_LEVEL || (env.TFCTL_DEBUG === '1' ? 'debug' : 'warn');
}

export function openLog(): Promise<Logger> {
  logger ??= create();
  return logger;
}

async function create(): Promise<Logger> {
  const { default: pino } = await import('pino');
  const options = {
    level: logLevel(),
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    redact: { paths: REDACT, censor: '***' },
  };
  if (process.stderr.isTTY) {
    const { default: pretty } = await import('pino-pretty');
    return pino(options, pretty({ destination: 2, sync: true, colorize: true }));
  }
  return pino(options, pino.destination({ dest: 2, sync: true }));
}
