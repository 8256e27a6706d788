import { Redis } from 'ioredis';
import { hidePassword } from '../config.js';
import { OperationalError } from '../errors.js';

/**
 * Connects to Redis and fails fast with one clear line when it cannot be reached: a CLI run from
 * cron must not hang retrying. Commands after the first still get ioredis's normal reconnects.
 */
export async function connectRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 2,
    connectTimeout: 3000,
    // The ready check sends INFO and parses it: a round trip a short-lived CLI does not need.
    enableReadyCheck: false,
    // CLIENT SETINFO reads ioredis's package.json and waits a round trip before the first command.
    disableClientInfo: true,
    // RESP2: no HELLO round trip before the first command, and Lua replies keep the shapes the scripts
    // were written for (under RESP3 a script's `false` arrives as 0 rather than nil).
    protocol: 2,
    enableOfflineQueue: true,
    // Many bots tick at once: commands issued in the same event-loop turn go out in one write.
    enableAutoPipelining: true,
    retryStrategy: (times) => (times > 3 ? null : 100 * times),
  });
  // Errors are reported through the failing command; keep ioredis from printing them too, but remember
  // the socket's own reason (ECONNREFUSED…), which says more than "Connection is closed".
  let lastError: Error | undefined;
  redis.on('error', (err: Error) => (lastError = err));
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    const reason = (lastError ?? (err instanceof Error ? err : new Error(String(err)))).message;
    throw new OperationalError(`cannot reach Redis at ${hidePassword(url)}: ${reason}`);
  }
  return redis;
}
