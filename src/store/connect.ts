import type { Redis } from 'ioredis';
import { hidePassword, redisDatabase } from '../config.js';
import { OperationalError, UsageError } from '../errors.js';

/**
 * Connects to Redis and checks the connection is the one configured, failing fast with one clear line:
 * a CLI run from cron must not hang retrying, nor write a farm into the wrong database. A password
 * Redis refuses or a database it does not have is a setting to fix (exit 2); a Redis that does not
 * answer is an operational failure (exit 1). Commands after the first still get ioredis's reconnects.
 */
export async function connectRedis(url: string): Promise<Redis> {
  const db = redisDatabase(url);
  if (typeof db === 'string') throw new UsageError(db);
  // Loaded here, not at the top: a command that only lists never needs it (see oneshot.ts).
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 2,
    connectTimeout: 3000,
    // The ready check sends INFO and parses it: a round trip a short-lived CLI does not need.
    enableReadyCheck: false,
    // CLIENT SETINFO reads ioredis's package.json and waits a round trip before the first command.
    disableClientInfo: true,
    enableOfflineQueue: true,
    // Many bots tick at once: commands issued in the same event-loop turn go out in one write.
    enableAutoPipelining: true,
    retryStrategy: (times) => (times > 3 ? null : 100 * times),
  });
  // Errors are reported through the failing command; keep ioredis from printing them too, but remember
  // the socket's own reason (ECONNREFUSED…), which says more than "Connection is closed".
  let lastError: Error | undefined;
  redis.on('error', (err: Error) => (lastError = err));
  const where = hidePassword(url);
  try {
    await redis.connect();
    // ioredis selects the database while connecting but, should SELECT fail, only emits an error and
    // goes on in database 0. Selecting it again here is the check; it also meets NOAUTH at once.
    await redis.select(db);
  } catch (err) {
    redis.disconnect();
    const reason = (err instanceof Error && /ERR|NOAUTH|WRONGPASS/.test(err.message) ? err : lastError ?? err) as Error;
    throw connectError(where, db, reason instanceof Error ? reason.message : String(reason));
  }
  return redis;
}

export function connectError(where: string, db: number, reason: string): Error {
  if (/WRONGPASS|invalid password|invalid username-password/i.test(reason)) return new UsageError(`Redis at ${where} refused the password in REDIS_URL (${reason.replace(/\.$/, '')})`);
  if (/NOAUTH/.test(reason)) return new UsageError(`Redis at ${where} needs a password: put it in REDIS_URL (redis://:PASSWORD@host:port/db)`);
  if (/DB index|invalid DB/i.test(reason)) return new UsageError(`REDIS_URL selects database ${db}, which Redis at ${where} does not have (${reason.replace(/\.$/, '')})`);
  return new OperationalError(`cannot reach Redis at ${where}: ${reason}`);
}
