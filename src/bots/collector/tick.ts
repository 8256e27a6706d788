import type { RedisClient } from '../../store/client.js';
import type { TwitterApi } from 'twitter-api-v2';
import type { Bot } from '../../store/bot-record.js';
import type { Keys } from '../../store/keys.js';
import { QUERY_MAX_LENGTH } from '../../xquery/limits.js';
import { outcomeOfError } from '../failure.js';
import { Rules, type Rule } from '../rules.js';
import type { Outcome, TickEnv } from '../types.js';
import { append, judge, liveRules, TWEET_QUERY, type ApiTweet, type Collected, type Includes } from './collect.js';
import { collectorTier, OWN, retention } from './index.js';

export const SEARCH_ENDPOINT = 'GET /2/tweets/search/recent';
/** Recent search reaches back seven days; a collector idle longer cannot get the rest back. */
export const SEARCH_WINDOW_MS = 7 * 86_400_000;
/** Pages of 100 per query per tick. */
const MAX_PAGES = 10;

export interface Pack {
  query: string;
  rules: Rule[];
  /** The oldest since id of its rules; none when one of them is new. */
  sinceId?: string;
}

const cmpId = (a: string, b: string) => (a.length - b.length) || (a < b ? -1 : a > b ? 1 : 0);

/**
 * Packs rules into as few queries as the length limit allows: `(a) OR (b) OR …`. Rules are taken in
 * order of their since id (new ones first), so rules at the same point share a query and one since_id
 * serves them all without fetching much twice.
 */
export function pack(rules: Rule[], sinceIds: Record<string, string>, maxLength: number): Pack[] {
  const ordered = [...rules].sort((a, b) => {
    const sa = sinceIds[a.id];
    const sb = sinceIds[b.id];
    if (!sa || !sb) return sa ? 1 : sb ? -1 : Number(a.id) - Number(b.id);
    return cmpId(sa, sb) || Number(a.id) - Number(b.id);
  });
  const out: Pack[] = [];
  let cur: Pack | undefined;
  for (const r of ordered) {
    const part = `(${r.value})`;
    if (cur && cur.query.length + 4 + part.length <= maxLength) {
      cur.query += ` OR ${part}`;
      cur.rules.push(r);
    } else {
      // A rule alone always fits: rules add refuses one longer than a query.
      cur = { query: rules.length === 1 || part.length > maxLength ? r.value : part, rules: [r] };
      out.push(cur);
    }
  }
  for (const p of out) {
    const ids = p.rules.map((r) => sinceIds[r.id]);
    if (ids.every(Boolean)) p.sinceId = (ids as string[]).sort(cmpId)[0];
  }
  return out;
}

interface SearchPage {
  data?: ApiTweet[];
  includes?: Includes;
  meta: { result_count: number; newest_id?: string; next_token?: string };
}

/** One tick: every rule's new tweets by recent search, each appended once with every rule it matches. */
export async function tick(bot: Bot, env: TickEnv): Promise<Outcome> {
  const redis = env.store.redis;
  if (env.dryRun) {
    const n = (await new Rules(redis, env.keys).list(bot.name)).length;
    return { status: 'idle', detail: n ? `dry run: would search for ${n} rule(s)` : 'no rules (tfctl rules add)' };
  }
  const r = await collectBySearch(redis, env.keys, bot, () => env.client(bot), env.now(), env.farmUserIds);
  if (r.error) return outcomeOfError(r.error, SEARCH_ENDPOINT, { counters: { fetched: r.added } });
  return { status: r.added ? 'ok' : 'idle', detail: r.detail, fetched: r.added, counters: { fetched: r.added, skipped: r.skipped } };
}

export interface SearchRun {
  added: number;
  skipped: number;
  detail: string;
  /** The X error that stopped it; what earlier queries found is kept. */
  error?: unknown;
}

/**
 * Every rule's new tweets by recent search (cron mode, and a stream's gap filling): the rules packed into
 * as few queries as the tier allows, each following since_id, every tweet judged against every rule.
 */
export async function collectBySearch(redis: RedisClient, keys: Keys, bot: Bot, clientOf: () => TwitterApi, now: number, skipAuthors: Set<string>): Promise<SearchRun> {
  const rules = await new Rules(redis, keys).list(bot.name);
  if (!rules.length) return { added: 0, skipped: 0, detail: 'no rules (tfctl rules add)' };
  const client = clientOf();
  const sinceIds = await redis.hgetall(keys.own(bot.name, OWN.sinceIds));
  const notes: string[] = [];
  // Idle longer than recent search reaches back: since ids would be refused, so start at the window's edge.
  let startTime: string | undefined;
  const last = Number((await redis.get(keys.own(bot.name, OWN.caughtUp))) ?? NaN);
  if (Number.isFinite(last) && now - last > SEARCH_WINDOW_MS - 60_000 && Object.keys(sinceIds).length) {
    for (const k of Object.keys(sinceIds)) delete sinceIds[k];
    startTime = new Date(now - SEARCH_WINDOW_MS + 60_000).toISOString();
    notes.push(`idle since ${new Date(last).toISOString()}: caught up from ${startTime}, as far back as recent search reaches; anything older is lost`);
  }
  const packs = pack(rules, sinceIds, QUERY_MAX_LENGTH[collectorTier(bot)]);
  const live = liveRules(rules);
  const byId = new Map<string, Collected>();
  const newSince: Record<string, string> = {};
  let calls = 0;
  let unmatched = 0;
  const save = async () => {
    // Oldest first, as a stream reads.
    const items = [...byId.values()].sort((a, b) => cmpId(a.tweet.id, b.tweet.id));
    const added = await append(redis, keys, bot.name, items, newSince, now);
    await trimStream(redis, keys.timeline(bot.name), bot, now);
    return added;
  };
  for (const p of packs) {
    let token: string | undefined;
    let newest: string | undefined;
    try {
      for (let page = 0; page < MAX_PAGES; page++) {
        const q: Record<string, string> = { query: p.query, max_results: '100', ...TWEET_QUERY };
        if (p.sinceId) q.since_id = p.sinceId;
        else if (startTime) q.start_time = startTime;
        if (token) q.next_token = token;
        calls++;
        const res = await client.v2.get<SearchPage>('tweets/search/recent', q);
        newest ??= res.meta.newest_id;
        for (const t of res.data ?? []) {
          if (byId.has(t.id)) continue;
          if (t.author_id && skipAuthors.has(t.author_id)) continue;
          const c = judge(t, res.includes ?? {}, live, 'search');
          if (c) byId.set(t.id, c);
          else unmatched++;
        }
        token = res.meta.next_token;
        if (!token) break;
      }
    } catch (err) {
      // What earlier queries found is kept with their since ids; this query is tried again next time.
      const added = await save();
      return { added, skipped: unmatched, detail: `search failed after ${added} new tweet(s)`, error: err };
    }
    if (token) notes.push(`query ${packs.indexOf(p) + 1}: more than ${MAX_PAGES * 100} new tweets, the older ones skipped`);
    const to = newest ?? p.sinceId;
    if (to) for (const r of p.rules) newSince[r.id] = to;
  }
  const added = await save();
  await redis.set(keys.own(bot.name, OWN.caughtUp), String(now));
  const dup = byId.size - added;
  const detail = [
    added ? `collected ${added} new tweet(s) with ${calls} search call(s) for ${rules.length} rule(s) in ${packs.length} query(ies)` : `no new tweets (${calls} search call(s))`,
    ...(dup ? [`${dup} already collected`] : []),
    ...notes,
  ].join('; ');
  return { added, skipped: unmatched + dup, detail };
}

/** Caps the stream by size and age (entry ids are Redis times, close enough to when a tweet was collected). */
export async function trimStream(redis: RedisClient, key: string, bot: Bot, now: number): Promise<void> {
  const { keep, keepForS } = retention(bot);
  await redis.multi().xtrim(key, 'MINID', '~', String(now - keepForS * 1000)).xtrim(key, 'MAXLEN', '~', keep).exec();
}
