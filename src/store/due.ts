import type { RedisClient } from './client.js';
import type { Bot } from './bot-record.js';
import type { Keys } from './keys.js';
import { migrateIfLegacy } from './migrate.js';

/**
 * The due index (Keys.due): each bot's next due time as a sorted-set score, so a tick asks Redis which
 * bots are due (one ZRANGEBYSCORE) instead of reading every bot. It is a hint kept safe by one rule: a
 * bot's score is never later than the time it may next run. A score that is too early costs the tick one
 * read of that bot's hash, after which the tick puts the score right; a score too late would hide a due
 * bot, so whatever makes a bot due sooner writes the index before or with its hash (create; set, apply and
 * auth re-index from the hash they just wrote; import indexes its bots at 0).
 *
 * Paused and failing bots are left out: only a change of settings brings them back, and it re-indexes.
 *
 * The member '' (no bot's name) at -inf marks the index as built; a farm's first bot marks it
 * (scripts/register-bot.lua). A farm made before the index, or whose index was lost, has no marker: the
 * first tick that sees so rebuilds it from the bots' hashes, under a lock
 * (another run meanwhile reads every bot, as before), and writes the marker last, so a rebuild cut short is
 * done again.
 */
const BUILT = '';

/** When a bot may next run (epoch ms), or null when only a change of settings can make it run. */
export function dueScore(bot: Pick<Bot, 'paused' | 'failing' | 'nextDueAt' | 'pauses'>): number | null {
  if (bot.paused || bot.failing) return null;
  return Math.max(bot.nextDueAt, ...Object.values(bot.pauses));
}

export class DueIndex {
  constructor(private readonly redis: RedisClient, private readonly keys: Keys) {}

  /** The bots due at `now` (one round trip), or null when the index is not built. */
  async due(now: number): Promise<string[] | null> {
    const names = await this.redis.zrangebyscore(this.keys.due(), '-inf', now);
    return names[0] === BUILT ? names.slice(1) : null;
  }

  /** Puts bots at their due times; null takes a bot out. Independent commands: no Lua crosses a slot. */
  async set(entries: Array<[name: string, score: number | null]>): Promise<void> {
    const add: string[] = [];
    const remove: string[] = [];
    for (const [name, score] of entries) {
      if (score === null) remove.push(name);
      else add.push(String(score), name);
    }
    await Promise.all([add.length ? this.redis.zadd(this.keys.due(), ...add) : null, remove.length ? this.redis.zrem(this.keys.due(), ...remove) : null]);
  }

  /**
   * Builds the index from `read()` (every bot, whole) unless another run holds the rebuild lock; returns
   * the bots read, or null when another run is rebuilding.
   */
  async rebuild(read: () => Promise<Bot[]>, ttlMs = 60_000): Promise<Bot[] | null> {
    const token = `${process.pid}-${Date.now()}-${Math.random()}`;
    // A farm from before the farm-wide tag is one that has no index under its new name: its keys are
    // moved first (src/store/migrate.ts), beside taking the lock.
    const [locked] = await Promise.all([this.redis.set(this.keys.dueLock(), token, 'PX', ttlMs, 'NX'), migrateIfLegacy(this.redis, this.keys)]);
    if (locked !== 'OK') return null;
    try {
      const bots = await read();
      for (let i = 0; i < bots.length; i += 1000) await this.set(bots.slice(i, i + 1000).map((b) => [b.name, dueScore(b)]));
      await this.redis.zadd(this.keys.due(), '-inf', BUILT);
      return bots;
    } finally {
      await this.redis
        .eval(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`, 1, this.keys.dueLock(), token)
        .catch(() => {});
    }
  }
}
