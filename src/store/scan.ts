import type { Redis } from 'ioredis';

/**
 * Every key matching `pattern`, a batch at a time, each key once: SCAN (never KEYS) may return a key
 * twice across batches, so the ones already seen are left out.
 */
export async function* scanKeys(redis: Redis, pattern: string, count = 1000): AsyncGenerator<string[]> {
  const seen = new Set<string>();
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', count);
    cursor = next;
    const fresh = batch.filter((k) => !seen.has(k));
    for (const k of fresh) seen.add(k);
    yield fresh;
  } while (cursor !== '0');
}
