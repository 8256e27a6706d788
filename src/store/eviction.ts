import type { RedisClient } from './client.js';
import { OperationalError } from '../errors.js';

/**
 * A farm is its Redis: a server allowed to evict keys under memory pressure can silently drop bots,
 * their caches, the record of what was posted (then texts are posted twice) or a tick's lock. Only
 * `noeviction` is safe; a `volatile-*` policy only when no limit is set, because the farm's locks carry a
 * TTL and are exactly what such a policy would evict.
 */
export async function assertNoEviction(redis: RedisClient): Promise<void> {
  let info: string;
  try {
    info = await redis.info('memory');
  } catch (err) {
    // A managed Redis may rename INFO away; then there is nothing to check with.
    if (err instanceof Error && /unknown command/i.test(err.message)) return;
    throw err;
  }
  const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
  const policy = field('maxmemory_policy') ?? 'noeviction';
  const maxmemory = Number(field('maxmemory') ?? 0);
  if (policy === 'noeviction') return;
  if (policy.startsWith('volatile-') && maxmemory === 0) return;
  const limit = maxmemory ? ` with maxmemory ${field('maxmemory_human') ?? maxmemory}` : '';
  throw new OperationalError(
    `Redis may evict the farm's keys (maxmemory-policy ${policy}${limit}): run redis-cli CONFIG SET maxmemory-policy noeviction and put "maxmemory-policy noeviction" in redis.conf`,
  );
}
