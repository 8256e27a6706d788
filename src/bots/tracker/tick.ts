import type { TwitterApi } from 'twitter-api-v2';
import type { Bot } from '../../store/bot-record.js';
import { classifyXError } from '../../x/errors.js';
import { outcomeOfError } from '../failure.js';
import type { Outcome, TickEnv } from '../types.js';
import { writeCounts } from './files.js';
import { batchesPerMinute, BATCH, byId, LOOKUP, MARGIN_MS, MINUTE, REFRESH_MS, USER_TWEETS, USERS_BY, USERS_BY_ID } from './plan.js';
import { trackerSettings, type UserRef } from './settings.js';
import { TrackerStore, type RateWindow, type Snapshot, type TrackedTweet } from './store.js';

interface ApiTweet {
  id: string;
  text: string;
  author_id?: string;
  created_at?: string;
  public_metrics?: { retweet_count: number };
}
interface Page<T> {
  data?: T[];
  errors?: Array<{ value?: string; resource_id?: string; title?: string; detail?: string }>;
  meta?: { newest_id?: string; next_token?: string };
}

/** Pages of a user's timeline per refresh: the first reaches back --since, later ones follow since_id. */
const MAX_PAGES = 5;

type Limits = Map<string, RateWindow>;

/** A GET that also records X's rate-limit window for the endpoint, so later calls stay within it. */
async function get<T>(client: TwitterApi, limits: Limits, endpoint: string, path: string, query: Record<string, string>): Promise<T> {
  const res = await client.v2.get<T>(path, query, { fullResponse: true });
  if (res.rateLimit) limits.set(endpoint, { limit: res.rateLimit.limit, remaining: res.rateLimit.remaining, reset: res.rateLimit.reset * 1000 });
  return res.data;
}

/** The endpoint has calls left in its window as X last reported it (or its window has reset since). */
function canCall(limits: Limits, endpoint: string, now: number): boolean {
  const w = limits.get(endpoint);
  return !w || now >= w.reset || w.remaining > 0;
}

/**
 * One tick of a tracker: resolve its accounts once, refresh their recent tweets (each account at most
 * every REFRESH_MS, within the timeline endpoint's window), look the retweet counts of every tracked tweet
 * up 100 ids per request (spread over minutes when the lookup limit demands it), store this minute's
 * snapshot with its deltas, and write it to --out.
 */
export async function tick(bot: Bot, env: TickEnv): Promise<Outcome> {
  const s = trackerSettings(bot);
  if (env.dryRun) return { status: 'idle', detail: `dry run: would look up the retweet counts of the tweets of ${s.users.length} account(s)` };
  const store = new TrackerStore(env.store.redis, env.keys, bot.name);
  const client = env.client(bot);
  const now = env.now();
  const minute = Math.floor(now / MINUTE) * MINUTE;
  const cursor = await store.cursor();
  const limits: Limits = new Map();
  for (const [k, v] of Object.entries(cursor)) if (k.startsWith('limit:')) limits.set(k.slice(6), JSON.parse(v) as RateWindow);

  // 1. Accounts: ids and usernames, resolved once (again only when --users changes).
  let users = await store.users();
  if (!covers(users, s.users)) {
    try {
      const resolved = await resolveUsers(client, limits, s.users);
      if (resolved.missing.length) {
        return { status: 'failed', detail: 'unknown accounts', error: `no such account on X: ${resolved.missing.join(', ')} (fix --users with tfctl set ${bot.name} users=…)`, counters: { errors: 1 } };
      }
      users = resolved.users;
      await store.setUsers(users);
    } catch (err) {
      return outcomeOfError(err, USERS_BY);
    }
  }

  // 2. New tweets of each account whose refresh is due, oldest refresh first, while the window allows.
  const tweets = await store.tweets();
  const known = await store.counts();
  let found = 0;
  let refreshError: string | undefined;
  // Counted in whole minutes, like the ticks, so a tick early in its minute is not a minute late.
  const due = [...users.keys()].filter((id) => minute - Math.floor(Number(cursor[`at:${id}`] ?? 0) / MINUTE) * MINUTE >= REFRESH_MS).sort((a, b) => Number(cursor[`at:${a}`] ?? 0) - Number(cursor[`at:${b}`] ?? 0));
  for (const uid of due) {
    if (!canCall(limits, USER_TWEETS, now)) break;
    try {
      const got = await userTimeline(client, limits, uid, cursor[`since:${uid}`], now - s.since * 1000);
      await store.addTweets(uid, got.tweets, got.counts, got.newest, now);
      for (const [id, t] of got.tweets) tweets.set(id, t);
      for (const [id, c] of got.counts) known.set(id, c);
      found += got.tweets.size;
    } catch (err) {
      const c = classifyXError(err, now);
      if (c.kind === 'rate_limited') limits.set(USER_TWEETS, { limit: limits.get(USER_TWEETS)?.limit ?? 0, remaining: 0, reset: c.resetAt });
      else if (c.kind === 'auth_revoked') return outcomeOfError(err, USER_TWEETS);
      else refreshError ??= `${USER_TWEETS}: ${c.reason}`;
      break;
    }
  }

  // 3. Tweets older than --since are no longer tracked.
  const cutoff = now - s.since * 1000;
  const stale = [...tweets].filter(([, t]) => t.created_at < cutoff).map(([id]) => id);
  await store.drop(stale);
  for (const id of stale) tweets.delete(id);

  // 4. Retweet counts, 100 ids per request; at most the lookup limit's share of a minute per tick.
  const ids = [...tweets.keys()].sort(byId);
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += BATCH) batches.push(ids.slice(i, i + BATCH));
  let next = Number(cursor.lookup ?? 0);
  if (!(next < batches.length)) next = 0;
  const fresh = new Map<string, number>();
  const gone: string[] = [];
  let sent = 0;
  let lookupError: Outcome | undefined;
  while (sent < batches.length && sent < batchesPerMinute(limits.get(LOOKUP)) && canCall(limits, LOOKUP, now)) {
    const batch = batches[next]!;
    try {
      const page = await get<Page<ApiTweet>>(client, limits, LOOKUP, 'tweets', { ids: batch.join(','), 'tweet.fields': 'public_metrics' });
      for (const t of page.data ?? []) if (t.public_metrics) fresh.set(t.id, t.public_metrics.retweet_count);
      // Deleted or protected since: X answers with an error per id; those are no longer tracked.
      for (const e of page.errors ?? []) if (e.resource_id ?? e.value) gone.push((e.resource_id ?? e.value)!);
    } catch (err) {
      lookupError = outcomeOfError(err, LOOKUP);
      break;
    }
    sent++;
    next = (next + 1) % batches.length;
  }
  await store.drop(gone);
  for (const id of gone) tweets.delete(id);

  // 5. This minute's snapshot: fresh counts, the last known ones for batches read in other minutes.
  const prev = (await store.snapshots()).filter((x) => x.at < minute).pop();
  const snap: Snapshot = { at: minute, counts: {}, batches: sent, of: batches.length };
  for (const id of [...tweets.keys()].sort(byId)) {
    const count = fresh.get(id) ?? known.get(id);
    if (count === undefined) continue;
    const before = prev?.counts[id]?.[0];
    snap.counts[id] = [count, before === undefined ? 0 : count - before];
  }
  const cur: Record<string, string> = { lookup: String(next) };
  for (const [ep, w] of limits) cur[`limit:${ep}`] = JSON.stringify(w);
  await store.saveSnapshot(snap, fresh, minute - s.keep * 1000 - MARGIN_MS, cur);
  let file: string | undefined;
  if (s.out) {
    try {
      file = await writeCounts(s.out, snap);
    } catch (err) {
      return { status: 'failed', detail: 'cannot write counts', error: `cannot write counts to ${s.out}: ${err instanceof Error ? err.message : String(err)}`, counters: { errors: 1 } };
    }
  }

  // Due at the start of the next period, not `every` after this tick: a cron run a second earlier in
  // its minute than the last one must not skip the minute.
  const period = Math.max(bot.every, 1) * 1000;
  const dueAt = Math.floor(now / period) * period + period;
  const tracked = Object.keys(snap.counts).length;
  const spread = sent < batches.length ? ` (${sent} of ${batches.length} batches this minute: spread to stay within the lookup limit)` : '';
  const detail = `${tracked} tweet(s) tracked, ${found} new, ${sent} lookup(s)${spread}${file ? `, wrote ${file}` : ''}`;
  if (lookupError) return { ...lookupError, dueAt, fetched: found, counters: { ...lookupError.counters, fetched: found } };
  if (refreshError) return { status: 'failed', detail, error: refreshError, dueAt, fetched: found, counters: { fetched: found, errors: 1 } };
  return { status: 'ok', detail, dueAt, fetched: found, counters: { fetched: found } };
}

/** Every account of --users has an id and a username, and no other account is stored. */
function covers(users: Map<string, string>, refs: UserRef[]): boolean {
  const names = new Set([...users.values()].map((u) => u.toLowerCase()));
  const ids = new Set<string>();
  for (const r of refs) {
    if ('id' in r) {
      if (!users.has(r.id)) return false;
      ids.add(r.id);
    } else {
      if (!names.has(r.username.toLowerCase())) return false;
      for (const [id, u] of users) if (u.toLowerCase() === r.username.toLowerCase()) ids.add(id);
    }
  }
  return ids.size === users.size;
}

async function resolveUsers(client: TwitterApi, limits: Limits, refs: UserRef[]): Promise<{ users: Map<string, string>; missing: string[] }> {
  const users = new Map<string, string>();
  const ids = refs.flatMap((r) => ('id' in r ? [r.id] : []));
  const names = refs.flatMap((r) => ('username' in r ? [r.username] : []));
  if (ids.length) {
    const page = await get<Page<{ id: string; username: string }>>(client, limits, USERS_BY_ID, 'users', { ids: ids.join(',') });
    for (const u of page.data ?? []) users.set(u.id, u.username);
  }
  if (names.length) {
    const page = await get<Page<{ id: string; username: string }>>(client, limits, USERS_BY, 'users/by', { usernames: names.join(',') });
    for (const u of page.data ?? []) users.set(u.id, u.username);
  }
  const lower = new Set([...users.values()].map((u) => u.toLowerCase()));
  const missing = [...ids.filter((id) => !users.has(id)), ...names.filter((n) => !lower.has(n.toLowerCase())).map((n) => `@${n}`)];
  return { users, missing };
}

/** A user's tweets since the last refresh (or within --since on the first), retweets left out. */
async function userTimeline(client: TwitterApi, limits: Limits, uid: string, sinceId: string | undefined, startMs: number) {
  const tweets = new Map<string, TrackedTweet>();
  const counts = new Map<string, number>();
  let newest: string | undefined;
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query: Record<string, string> = { max_results: '100', exclude: 'retweets', 'tweet.fields': 'author_id,created_at,public_metrics' };
    if (sinceId) query.since_id = sinceId;
    else query.start_time = new Date(startMs).toISOString();
    if (token) query.pagination_token = token;
    const res = await get<Page<ApiTweet>>(client, limits, USER_TWEETS, `users/${uid}/tweets`, query);
    newest ??= res.meta?.newest_id;
    for (const t of res.data ?? []) {
      const created = t.created_at ? Date.parse(t.created_at) : startMs;
      if (created < startMs) continue;
      tweets.set(t.id, { author_id: t.author_id ?? uid, text: t.text, created_at: created });
      if (t.public_metrics) counts.set(t.id, t.public_metrics.retweet_count);
    }
    token = res.meta?.next_token;
    if (!token) break;
  }
  return { tweets, counts, newest: newest ?? sinceId };
}
