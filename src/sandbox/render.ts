/** Turns stored tweets and accounts into X v2 objects, honouring tweet.fields / user.fields / expansions. */
import { publicMetrics } from './metrics.js';
import { invalidParam, type Reply } from './http.js';
import type { Account, State, Tweet } from './state.js';

export const TWEET_FIELDS = [
  'article', 'attachments', 'author_id', 'card_uri', 'community_id', 'context_annotations', 'conversation_id',
  'created_at', 'display_text_range', 'edit_controls', 'edit_history_tweet_ids', 'entities', 'geo', 'id',
  'in_reply_to_user_id', 'lang', 'media_metadata', 'non_public_metrics', 'note_tweet', 'organic_metrics',
  'possibly_sensitive', 'promoted_metrics', 'public_metrics', 'referenced_tweets', 'reply_settings', 'scopes',
  'source', 'text', 'withheld',
];
export const USER_FIELDS = [
  'affiliation', 'connection_status', 'created_at', 'description', 'entities', 'id', 'location',
  'most_recent_tweet_id', 'name', 'pinned_tweet_id', 'profile_banner_url', 'profile_image_url', 'protected',
  'public_metrics', 'receives_your_dm', 'subscription_type', 'url', 'username', 'verified', 'verified_type',
  'withheld',
];
export const EXPANSIONS = [
  'article.cover_media', 'article.media_entities', 'attachments.media_keys', 'attachments.media_source_tweet',
  'attachments.poll_ids', 'author_id', 'edit_history_tweet_ids', 'entities.mentions.username', 'geo.place_id',
  'in_reply_to_user_id', 'entities.note.mentions.username', 'referenced_tweets.id', 'referenced_tweets.id.attachments.media_keys',
  'referenced_tweets.id.author_id',
];

export interface Fields {
  tweet: Set<string>;
  user: Set<string>;
  expansions: Set<string>;
}

const NONE = new Set<string>();

/** Parses the field lists, rejecting unknown values the way X does. */
export function parseFields(q: URLSearchParams): Fields | Reply {
  const out: Fields = { tweet: NONE, user: NONE, expansions: NONE };
  const lists: Array<[string, string[], keyof Fields]> = [
    ['tweet.fields', TWEET_FIELDS, 'tweet'],
    ['user.fields', USER_FIELDS, 'user'],
    ['expansions', EXPANSIONS, 'expansions'],
  ];
  for (const [param, allowed, key] of lists) {
    const raw = q.get(param);
    if (raw === null) continue;
    const values = raw.split(',');
    for (const v of values) {
      if (!allowed.includes(v)) {
        return invalidParam(param, v, `The \`${param}\` query parameter value [${v}] is not one of [${allowed.join(',')}]`);
      }
    }
    out[key] = new Set(values);
  }
  return out;
}

const CYRILLIC = /[\u0400-\u04FF]/;

export function renderTweet(state: State, t: Tweet, f: Set<string>, nowMs: number): Record<string, unknown> {
  const out: Record<string, unknown> = { id: t.id, text: t.text, edit_history_tweet_ids: [t.id] };
  if (f.size === 0) return out;
  if (f.has('author_id')) out.author_id = t.authorId;
  if (f.has('created_at')) out.created_at = new Date(t.createdAt).toISOString();
  if (f.has('conversation_id')) out.conversation_id = t.id;
  if (f.has('lang')) out.lang = CYRILLIC.test(t.text) ? 'ru' : 'en';
  if (f.has('possibly_sensitive')) out.possibly_sensitive = false;
  if (f.has('reply_settings')) out.reply_settings = 'everyone';
  if (f.has('referenced_tweets') && t.retweetOf) out.referenced_tweets = [{ type: 'retweeted', id: t.retweetOf }];
  if (f.has('public_metrics')) {
    // A retweet's own counters stay at zero on X; the original's count grows.
    out.public_metrics = t.retweetOf
      ? { retweet_count: 0, reply_count: 0, like_count: 0, quote_count: 0, impression_count: 0, bookmark_count: 0 }
      : publicMetrics(state.seed, t.id, (nowMs - t.createdAt) / 1000, state.retweetCounts.get(t.id) ?? 0);
  }
  return out;
}

export function renderUser(state: State, a: Account, f: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = { id: a.id, name: a.name, username: a.username };
  if (f.size === 0) return out;
  if (f.has('created_at')) out.created_at = new Date(a.createdAt).toISOString();
  if (f.has('description')) out.description = '';
  if (f.has('protected')) out.protected = false;
  if (f.has('verified')) out.verified = false;
  if (f.has('profile_image_url')) out.profile_image_url = 'https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png';
  if (f.has('public_metrics')) {
    out.public_metrics = {
      followers_count: state.followersOf(a.id),
      following_count: state.follows.get(a.id)?.size ?? 0,
      tweet_count: (state.byAuthor.get(a.id) ?? []).filter((t) => !t.deleted).length,
      listed_count: 0,
      like_count: 0,
    };
  }
  return out;
}

/** `data` plus `includes` for the requested expansions (authors, referenced tweets). */
export function renderTweets(state: State, tweets: Tweet[], f: Fields, nowMs: number) {
  const data = tweets.map((t) => renderTweet(state, t, f.tweet, nowMs));
  const includes: Record<string, unknown[]> = {};
  const refs: Tweet[] = [];
  if (f.expansions.has('referenced_tweets.id') || f.expansions.has('referenced_tweets.id.author_id')) {
    const seen = new Set<string>();
    for (const t of tweets) {
      const r = t.retweetOf ? state.tweets.get(t.retweetOf) : undefined;
      if (r && !seen.has(r.id)) {
        seen.add(r.id);
        refs.push(r);
      }
    }
    if (refs.length) includes.tweets = refs.map((r) => renderTweet(state, r, f.tweet, nowMs));
  }
  const authors = new Set<string>();
  if (f.expansions.has('author_id')) for (const t of tweets) authors.add(t.authorId);
  if (f.expansions.has('referenced_tweets.id.author_id')) for (const r of refs) authors.add(r.authorId);
  const users: unknown[] = [];
  for (const id of authors) {
    const a = state.accounts.get(id);
    if (a) users.push(renderUser(state, a, f.user));
  }
  if (users.length) includes.users = users;
  return { data, includes: Object.keys(includes).length ? includes : undefined };
}
