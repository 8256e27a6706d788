import type { Redis } from 'ioredis';
import type { RedisClient } from './client.js';
import { asCluster } from './slots.js';

/**
 * Every key matching `pattern`, a batch at a time, each key once: SCAN (never KEYS) may return a key
 * twice across batches, so the ones already seen are left out — unless `once` is false, for a caller
 * that copes with a repeat and cannot afford to remember every key (import's million staged keys).
 * On a cluster, SCAN sees one node's keys: every master is scanned in turn.
 */
export async function* scanKeys(redis: RedisClient, pattern: string, count = 1000, once = true): AsyncGenerator<string[]> {
  const seen = new Set<string>();
  const nodes: Redis[] = asCluster(redis)?.nodes('master') ?? [redis as Redis];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      if (!once) {
        yield batch;
        continue;
      }
      const fresh = batch.filter((k) => !seen.has(k));
      for (const k of fresh) seen.add(k);
      yield fresh;
    } while (cursor !== '0');
  }
}
