import type { RedisClient } from '../../store/client.js';
import type { Keys } from '../../store/keys.js';
import { script } from '../../store/scripts.js';
import { matchingRules, parseQuery, type MatchableTweet, type Query } from '../../xquery/index.js';
import type { Rule } from '../rules.js';
import { OWN } from './index.js';

/** What search and the stream ask X for, so a tweet can be judged against every rule locally. */
export const TWEET_QUERY = {
  'tweet.fields': 'author_id,created_at,lang,entities,geo,referenced_tweets,conversation_id,in_reply_to_user_id',
  expansions: 'author_id,referenced_tweets.id,referenced_tweets.id.author_id,in_reply_to_user_id',
  'user.fields': 'username',
} as const;

export interface ApiTweet {
  id: string;
  text: string;
  author_id?: string;
  created_at?: string;
  lang?: string;
  conversation_id?: string;
  in_reply_to_user_id?: string;
  geo?: { coordinates?: { coordinates?: [number, number] } };
  entities?: {
    urls?: Array<{ url: string; expanded_url?: string; display_url?: string }>;
    hashtags?: Array<{ tag: string }>;
    mentions?: Array<{ username: string }>;
    cashtags?: Array<{ tag: string }>;
  };
  referenced_tweets?: Array<{ type: 'retweeted' | 'quoted' | 'replied_to'; id: string }>;
}

export interface Includes {
  users?: Array<{ id: string; username: string }>;
  tweets?: ApiTweet[];
}

/** A rule ready to be matched: parsed once (search flavour: what recent search applies). */
export interface LiveRule extends Rule {
  query: Query;
}

export function liveRules(rules: Rule[], flavor: 'search' | 'stream' = 'search'): LiveRule[] {
  return rules.map((r) => ({ ...r, query: parseQuery(r.value, { maxLength: Infinity, flavor }) }));
}

/** X's text as written: HTML entities undone, t.co links back to what was posted. */
export function plainText(t: ApiTweet): string {
  let text = t.text;
  for (const u of t.entities?.urls ?? []) if (u.expanded_url) text = text.split(u.url).join(u.expanded_url);
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export function toMatchable(t: ApiTweet, inc: Includes = {}): MatchableTweet {
  const users = new Map((inc.users ?? []).map((u) => [u.id, u.username]));
  const refTweets = new Map((inc.tweets ?? []).map((r) => [r.id, r]));
  const out: MatchableTweet = {
    id: t.id,
    text: plainText(t),
    author_id: t.author_id ?? '',
    author_username: users.get(t.author_id ?? '') ?? '',
    ...(t.lang ? { lang: t.lang } : {}),
    ...(t.conversation_id ? { conversation_id: t.conversation_id } : {}),
  };
  if (t.in_reply_to_user_id) {
    out.in_reply_to_user_id = t.in_reply_to_user_id;
    const name = users.get(t.in_reply_to_user_id);
    if (name) out.in_reply_to_username = name;
  }
  if (t.referenced_tweets?.length) {
    out.referenced_tweets = t.referenced_tweets.map((r) => {
      const ref = refTweets.get(r.id);
      const au = ref?.author_id;
      return { type: r.type, id: r.id, ...(ref ? { text: plainText(ref) } : {}), ...(au ? { author_id: au } : {}), ...(au && users.get(au) ? { author_username: users.get(au)! } : {}) };
    });
  }
  const e = t.entities;
  if (e?.mentions) out.mentions = e.mentions.map((m) => m.username);
  if (e?.hashtags) out.hashtags = e.hashtags.map((h) => h.tag);
  if (e?.cashtags) out.cashtags = e.cashtags.map((c) => c.tag);
  if (e?.urls) out.urls = e.urls.map((u) => u.expanded_url ?? u.url);
  const c = t.geo?.coordinates?.coordinates;
  if (c) out.coordinates = c;
  return out;
}

/** A tweet about to be appended: what goes in the stream, and the rules it matched. */
export interface Collected {
  tweet: MatchableTweet;
  created_at: string;
  rules: Array<{ id: string; tag?: string }>;
  via: 'search' | 'stream';
}

/** Judges a tweet against every rule; null when it matches none (nothing to collect). */
export function judge(t: ApiTweet, inc: Includes, rules: LiveRule[], via: Collected['via']): Collected | null {
  const tweet = toMatchable(t, inc);
  const hit = matchingRules(rules, tweet);
  if (!hit.length) return null;
  return { tweet, created_at: t.created_at ?? '', rules: hit.map((r) => ({ id: r.id, ...(r.tag ? { tag: r.tag } : {}) })), via };
}

/** How long a seen id is remembered: longer than recent search reaches back, so no search can bring it again. */
const SEEN_MS = 8 * 86_400_000;

/** Appends tweets (oldest first) once each, counts rule hits and moves since ids, atomically (collect.lua). */
export async function append(redis: RedisClient, keys: Keys, bot: string, items: Collected[], sinceIds: Record<string, string>, now: number): Promise<number> {
  const since = Object.entries(sinceIds);
  if (!items.length && !since.length) return 0;
  const args: (string | number)[] = [now, now - SEEN_MS, Math.floor(now / 60000) - 59, since.length, ...since.flat()];
  for (const c of items) {
    const fields = [
      'id', c.tweet.id,
      'author', c.tweet.author_username,
      'author_id', c.tweet.author_id,
      'text', c.tweet.text,
      'created_at', c.created_at,
      'matching_rules', JSON.stringify(c.rules),
      'via', c.via,
    ];
    args.push(c.tweet.id, c.rules.map((r) => r.id).join(','), fields.length, ...fields);
  }
  const keysOf = [keys.timeline(bot), keys.own(bot, OWN.seen), keys.own(bot, OWN.hits), keys.own(bot, OWN.sinceIds)];
  return Number(await script(redis, 'collect')(keysOf, args));
}

/** Hits per rule in the last hour, and per minute of it (oldest first), from the rolling counters. */
export async function ruleHits(redis: RedisClient, keys: Keys, bot: string, now: number): Promise<Map<string, { hour: number; per_minute: number[] }>> {
  const h = await redis.hgetall(keys.own(bot, OWN.hits));
  const nowMin = Math.floor(now / 60000);
  const out = new Map<string, { hour: number; per_minute: number[] }>();
  for (const [field, v] of Object.entries(h)) {
    const [rule, m] = field.split(':');
    const age = nowMin - Number(m);
    if (age < 0 || age >= 60) continue;
    let e = out.get(rule!);
    if (!e) out.set(rule!, (e = { hour: 0, per_minute: new Array(60).fill(0) }));
    e.hour += Number(v);
    e.per_minute[59 - age] = (e.per_minute[59 - age] ?? 0) + Number(v);
  }
  return out;
}
