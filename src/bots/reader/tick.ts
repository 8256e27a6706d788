import type { Bot } from '../../store/bot-record.js';
import type { CachedTweet } from '../../store/timeline.js';
import { ENDPOINT } from '../endpoints.js';
import { outcomeOfError } from '../failure.js';
import { accountId } from '../account.js';
import type { Outcome, TickEnv } from '../types.js';

/** Pages per fetch: the first fetch takes one page (the newest 100); later ones follow since_id this far. */
const MAX_PAGES = 5;
const FIRST_FETCH_PAGES = 1;
/** The cache never holds more than this many tweets, whatever writers lag behind. */
export const CACHE_CAP = 5000;

interface TimelinePage {
  data?: Array<{ id: string; text: string; author_id?: string; created_at?: string; referenced_tweets?: Array<{ type: string }> }>;
  includes?: { users?: Array<{ id: string; username: string }> };
  meta: { result_count: number; newest_id?: string; next_token?: string };
}

/**
 * The reader fetches its account's home timeline with since_id, so each fetch pays only for new posts,
 * and caches the tweets for its writers. Retweets and the farm's own posts are left out.
 */
export async function tick(bot: Bot, env: TickEnv): Promise<Outcome> {
  if (env.dryRun) return { status: 'idle', detail: 'dry run: would fetch the home timeline' };
  const client = env.client(bot);
  const learned: Record<string, string> = {};
  let userId: string;
  try {
    userId = await accountId(bot, client, learned);
  } catch (err) {
    return outcomeOfError(err, ENDPOINT.me, { learned }, env.now());
  }
  const tweets: CachedTweet[] = [];
  let newest: string | undefined;
  let skipped = 0;
  let token: string | undefined;
  const pages = bot.sinceId ? MAX_PAGES : FIRST_FETCH_PAGES;
  try {
    for (let page = 0; page < pages; page++) {
      const query: Record<string, string> = {
        max_results: '100',
        'tweet.fields': 'author_id,created_at,referenced_tweets',
        expansions: 'author_id',
        'user.fields': 'username',
      };
      if (bot.sinceId) query.since_id = bot.sinceId;
      if (token) query.pagination_token = token;
      const res = await client.v2.get<TimelinePage>(`users/${userId}/timelines/reverse_chronological`, query);
      newest ??= res.meta.newest_id;
      const names = new Map((res.includes?.users ?? []).map((u) => [u.id, u.username]));
      for (const t of res.data ?? []) {
        const isRetweet = t.referenced_tweets?.some((r) => r.type === 'retweeted') || t.text.startsWith('RT @');
        if (isRetweet || (t.author_id && env.farmUserIds.has(t.author_id))) {
          skipped++;
          continue;
        }
        tweets.push({ id: t.id, author: names.get(t.author_id ?? '') ?? '', author_id: t.author_id ?? '', text: t.text, created_at: t.created_at ?? '' });
      }
      token = res.meta.next_token;
      if (!token) break;
    }
  } catch (err) {
    // Nothing of a half-read timeline is kept: since_id stays, so the next tick reads it all again.
    return outcomeOfError(err, ENDPOINT.timeline, { learned }, env.now());
  }
  tweets.reverse(); // the API answers newest first; the cache is kept oldest first
  await env.timeline.append(bot.name, tweets, newest);
  await env.timeline.trim(bot.name, CACHE_CAP);
  const detail = tweets.length ? `cached ${tweets.length} new tweet(s)${skipped ? `, skipped ${skipped}` : ''}` : 'no new tweets';
  return { status: tweets.length ? 'ok' : 'idle', detail, fetched: tweets.length, counters: { fetched: tweets.length, skipped }, learned };
}

