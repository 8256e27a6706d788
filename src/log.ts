import pino, { type Logger } from 'pino';

let logger: Logger | undefined;

/**
 * The process logger writes to stderr so that stdout stays clean for data (`--json`).
 * On a terminal it is pretty-printed; otherwise one JSON object a line, which cron mail and
 * journald handle well. Level from TFCTL_LOG_LEVEL (default `warn`: quiet under cron).
 */
export function log(): Logger {
  if (logger) return logger;
  const level = process.env.TFCTL_LOG_LEVEL || (process.env.TFCTL_DEBUG === '1' ? 'debug' : 'warn');
  if (process.stderr.isTTY) {
    logger = pino({ level, transport: { target: 'pino-pretty', options: { destination: 2, colorize: true } } });
  } else {
    logger = pino({ level }, pino.destination(2));
  }
  return logger;
}
