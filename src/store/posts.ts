import { createHash } from 'node:crypto';
import type { RedisClient } from './client.js';
import { waitReplicated } from './replicated.js';
import type { Keys } from './keys.js';
import { script } from './scripts.js';

/** A post a writer made, as recorded in Redis and shown by show/stats/demo. */
export interface Post {
  id: string;
  text: string;
  source: string;
  noun: string;
  at: number;
}

/**
 * Written before a POST so that a crash or a lost answer between the POST and the bookkeeping is
 * resolved, not repeated (see bots/publish.ts). One per text.
 */
export interface Intent {
  /** what is created: a post (default), a retweet or a quote of `target` */
  kind?: 'post' | 'retweet' | 'quote';
  text: string;
  hash: string;
  target?: string;
  /** the source tweet's id, and its entry in the reader's stream (acknowledged once this is settled) */
  source: string;
  entry: string;
  noun: string;
  /** when the text was first taken: recovery looks back this far */
  at: number;
  /** when the last attempt was sent, and how many were */
  sentAt?: number;
  attempt?: number;
  /** X answered the last attempt (a 5xx, a body cut short): no request of it is still on its way */
  answered?: boolean;
  /**
   * The intent was written ahead of its POST (a writer writes its intents with its choice of texts): the
   * POST left at most this many ms after `sentAt`, and recovery waits this much longer.
   */
  window?: number;
  /** A kind's own bookkeeping for this text, done in the same script as the post's (kept for recovery). */
  settle?: Settle;
}

/**
 * Steps on a kind's own keys (all in the bot's slot) that must happen together with the post's
 * bookkeeping, so a crash never leaves one without the other: a draft leaves its queue, a hashtag's
 * quota is spent. Each step is [command, index into keys, ...arguments]; record-post.lua allows HINCRBY,
 * LREM, ZADD, SADD and HSET.
 */
export interface Settle {
  keys: string[];
  /** When the post is made (or found made). */
  posted?: SettleStep[];
  /** When X calls it a duplicate of a post it already has from this account. */
  duplicate?: SettleStep[];
  /** When X refuses it for good. */
  skipped?: SettleStep[];
}
export type SettleStep = [command: 'HINCRBY' | 'LREM' | 'ZADD' | 'SADD' | 'HSET', key: number, ...args: Array<string | number>];

/** The recent posts a writer's list keeps. */
export const RECENT_POSTS = 200;

export function textHash(text: string): string {
  return createHash('sha1').update(text.normalize('NFC').trim()).digest('hex');
}

export const hourOf = (ms: number): string => String(Math.floor(ms / 3_600_000));

export class Posts {
  constructor(private readonly redis: RedisClient, private readonly keys: Keys) {}

  /** Which of these texts the writer has posted already (one round trip). */
  async posted(writer: string, hashes: string[]): Promise<boolean[]> {
    if (hashes.length === 0) return [];
    const reply = await this.redis.smismember(this.keys.posted(writer), ...hashes);
    return reply.map((v) => v === 1);
  }

  /**
   * A writer's choice and its intents in one step (scripts/tick-intents.lua): of the candidates, in the
   * order preferred, those posted before or with an intent open are left out; of the rest up to `budget`
   * are chosen, one per source entry first, and their intents written. Returns positions in `candidates`:
   * the chosen, in order, and the other fresh ones (stand-ins, should a chosen one turn out a duplicate).
   */
  async choose(writer: string, budget: number, candidates: Array<{ intent: Intent }>): Promise<{ chosen: number[]; rest: number[] }> {
    if (candidates.length === 0) return { chosen: [], rest: [] };
    const args: string[] = [String(budget)];
    for (const { intent } of candidates) args.push(intent.hash, intent.entry, JSON.stringify(intent));
    const [chosen, rest] = (await script(this.redis, 'tick-intents')([this.keys.posted(writer), this.keys.intents(writer)], args)) as [number[], number[]];
    if (chosen.length) await waitReplicated(this.redis, this.keys.intents(writer)); // on a cluster: on a replica before any POST
    return { chosen: chosen.map((n) => n - 1), rest: rest.map((n) => n - 1) };
  }

  async writeIntent(writer: string, intent: Intent): Promise<void> {
    await this.redis.hset(this.keys.intents(writer), intent.hash, JSON.stringify(intent));
    await waitReplicated(this.redis, this.keys.intents(writer)); // on a cluster: on a replica before the POST
  }

  async intents(writer: string): Promise<Intent[]> {
    const all = await this.redis.hvals(this.keys.intents(writer));
    return all.map((v) => JSON.parse(v) as Intent);
  }

  async dropIntent(writer: string, hash: string): Promise<void> {
    await this.redis.hdel(this.keys.intents(writer), hash);
  }

  /** Records a post made (or found after a crash). */
  async record(writer: string, hash: string, post: Post, settle?: Settle): Promise<void> {
    await this.bookkeep(writer, hash, JSON.stringify(post), hourOf(post.at), 'posted', settle, settle?.posted);
  }

  /** X refuses the text for good (a 4xx that is no rate limit): never tried again, not counted as posted. */
  async giveUp(writer: string, hash: string, settle?: Settle): Promise<void> {
    await this.bookkeep(writer, hash, '', '0', 'skipped', settle, settle?.skipped);
  }

  /** X said the text is a duplicate: it counts as posted, so it is never tried again. */
  async markDuplicate(writer: string, hash: string, settle?: Settle): Promise<void> {
    await this.bookkeep(writer, hash, '', '0', 'duplicates', settle, settle?.duplicate);
  }

  private async bookkeep(writer: string, hash: string, json: string, hour: string, counter: string, settle?: Settle, steps?: SettleStep[]): Promise<void> {
    const k = this.keys;
    const own = steps?.length ? settle!.keys : [];
    await script(this.redis, 'record-post')(
      [k.posted(writer), k.posts(writer), k.intents(writer), k.bot(writer), k.hourly(writer), ...own],
      // Arguments go as strings: Lua would print a large number as 1.7e+12.
      [hash, json, RECENT_POSTS, hour, counter, steps?.length ? JSON.stringify(steps.map(([c, i, ...a]) => [c, i, ...a.map(String)])) : ''],
    );
  }

  async recent(writer: string, count = 10): Promise<Post[]> {
    return (await this.redis.lrange(this.keys.posts(writer), 0, count - 1)).map((v) => JSON.parse(v) as Post);
  }
}
