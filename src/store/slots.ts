import calculateSlot from 'cluster-key-slot';
import type { Cluster } from 'ioredis';
import type { RedisClient } from './client.js';

/** The connection as a Cluster client, or null on one Redis. */
export function asCluster(redis: RedisClient): Cluster | null {
  return redis.isCluster ? (redis as Cluster) : null;
}

/** The Redis Cluster slot of a key (its hash tag's, when it has one). */
export const slotOf = (key: string): number => calculateSlot(key);

/**
 * Items grouped by the slot of their key, in first-seen order, each group in its items' order: how a
 * batch that names keys of many bots becomes calls a cluster accepts (a script's KEYS, a DEL's keys,
 * all in one slot). On one Redis the groups cost nothing more when sent together (one write).
 */
export function bySlot<T>(items: readonly T[], keyOf: (item: T) => string): T[][] {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const slot = slotOf(keyOf(item));
    let group = groups.get(slot);
    if (!group) groups.set(slot, (group = []));
    group.push(item);
  }
  return [...groups.values()];
}

/** Deletes keys of any slots: one DEL per slot, all issued together. Returns how many were deleted. */
export async function deleteKeys(redis: RedisClient, keys: readonly string[], command: 'del' | 'unlink' = 'del'): Promise<number> {
  const counts = await Promise.all(bySlot(keys, (k) => k).map((group) => redis[command](...group)));
  return counts.reduce((a, b) => a + b, 0);
}
