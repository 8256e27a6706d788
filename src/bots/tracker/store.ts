import type { RedisClient } from '../../store/client.js';
import type { Keys } from '../../store/keys.js';

/**
 * A tracker's own keys, all in its `{name}` slot (Keys.own), so each step below is one MULTI:
 *   users    hash  user id → username, resolved once from --users
 *   tweets   hash  tweet id → JSON TrackedTweet: the tweets being tracked
 *   counts   hash  tweet id → its last known retweet count
 *   minutes  hash  minute (epoch ms) → JSON Snapshot: counts and deltas of that minute
 *   cursor   hash  since:<user id>, at:<user id> (timeline refreshes), lookup (next batch when spread),
 *                  limit:<endpoint> (JSON RateWindow from X's last answer)
 */
export const TRACKER_KEYS = ['users', 'tweets', 'counts', 'minutes', 'cursor'] as const;

export interface TrackedTweet {
  author_id: string;
  text: string;
  /** epoch ms */
  created_at: number;
}

/** One minute: each tracked tweet's retweet count then, and how much it grew since the minute before. */
export interface Snapshot {
  at: number;
  counts: Record<string, [count: number, delta: number]>;
  /** Lookup batches sent this minute, and how many there are in all (fewer when spread across minutes). */
  batches: number;
  of: number;
}

export interface RateWindow {
  limit: number;
  remaining: number;
  /** epoch ms */
  reset: number;
}

export class TrackerStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    readonly name: string,
  ) {}

  private key(suffix: (typeof TRACKER_KEYS)[number]): string {
    return this.keys.own(this.name, suffix);
  }

  async users(): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.redis.hgetall(this.key('users'))));
  }

  async setUsers(users: Map<string, string>): Promise<void> {
    await this.redis.multi().del(this.key('users')).hset(this.key('users'), Object.fromEntries(users)).exec();
  }

  async tweets(): Promise<Map<string, TrackedTweet>> {
    const h = await this.redis.hgetall(this.key('tweets'));
    return new Map(Object.entries(h).map(([id, v]) => [id, JSON.parse(v) as TrackedTweet]));
  }

  async tweetCount(): Promise<number> {
    return this.redis.hlen(this.key('tweets'));
  }

  async cursor(): Promise<Record<string, string>> {
    return this.redis.hgetall(this.key('cursor'));
  }

  async counts(): Promise<Map<string, number>> {
    const h = await this.redis.hgetall(this.key('counts'));
    return new Map(Object.entries(h).map(([id, v]) => [id, Number(v)]));
  }

  /** New tweets of one user and where its timeline now starts, in one step. */
  async addTweets(userId: string, found: Map<string, TrackedTweet>, counts: Map<string, number>, sinceId: string | undefined, at: number): Promise<void> {
    const m = this.redis.multi();
    if (found.size) m.hset(this.key('tweets'), Object.fromEntries([...found].map(([id, t]) => [id, JSON.stringify(t)])));
    if (counts.size) m.hset(this.key('counts'), Object.fromEntries(counts));
    const cur: Record<string, string> = { [`at:${userId}`]: String(at) };
    if (sinceId) cur[`since:${userId}`] = sinceId;
    m.hset(this.key('cursor'), cur);
    await m.exec();
  }

  async setCursor(fields: Record<string, string>): Promise<void> {
    await this.redis.hset(this.key('cursor'), fields);
  }

  /** Stops tracking these tweets: they are older than --since, or X no longer has them. */
  async drop(ids: string[]): Promise<void> {
    if (!ids.length) return;
    await this.redis.multi().hdel(this.key('tweets'), ...ids).hdel(this.key('counts'), ...ids).exec();
  }

  async snapshots(): Promise<Snapshot[]> {
    const h = await this.redis.hgetall(this.key('minutes'));
    return Object.values(h).map((v) => JSON.parse(v) as Snapshot).sort((a, b) => a.at - b.at);
  }

  async snapshotMinutes(): Promise<number[]> {
    return (await this.redis.hkeys(this.key('minutes'))).map(Number).sort((a, b) => a - b);
  }

  async snapshot(at: number): Promise<Snapshot | undefined> {
    const v = await this.redis.hget(this.key('minutes'), String(at));
    return v ? (JSON.parse(v) as Snapshot) : undefined;
  }

  /** Stores one minute's snapshot with the counts it read and drops minutes before `dropBefore`, in one step. */
  async saveSnapshot(s: Snapshot, fresh: Map<string, number>, dropBefore: number, cursor: Record<string, string>): Promise<void> {
    const old = (await this.snapshotMinutes()).filter((m) => m < dropBefore).map(String);
    const m = this.redis.multi();
    m.hset(this.key('minutes'), String(s.at), JSON.stringify(s));
    if (old.length) m.hdel(this.key('minutes'), ...old);
    if (fresh.size) m.hset(this.key('counts'), Object.fromEntries(fresh));
    if (Object.keys(cursor).length) m.hset(this.key('cursor'), cursor);
    await m.exec();
  }
}
