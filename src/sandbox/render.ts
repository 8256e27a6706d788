/** Turns stored tweets and accounts into X v2 objects, honouring tweet.fields / user.fields / expansions. */
import { invalidParam, type Reply } from './http.js';
import { publicMetrics } from './metrics.js';
import type { Account, State, Tweet } from './state.js';
import { renderRetweetText, renderText, type RenderedText } from './text.js';

// The value lists of X's OpenAPI document (TweetFieldsParameter, UserFieldsParameter, …).
export const TWEET_FIELDS = [
  'article', 'attachments', 'author_id', 'card_uri', 'community_id', 'context_annotations', 'conversation_id',
  'created_at', 'display_text_range', 'edit_controls', 'edit_history_tweet_ids', 'entities', 'geo', 'id',
  'in_reply_to_user_id', 'lang', 'media_metadata', 'non_public_metrics', 'note_tweet', 'organic_metrics',
  'possibly_sensitive', 'promoted_metrics', 'public_metrics', 'referenced_tweets', 'reply_settings', 'scopes',
  'source', 'suggested_source_links', 'suggested_source_links_with_counts', 'text', 'withheld',
];
export const USER_FIELDS = [
  'affiliation', 'confirmed_email', 'connection_status', 'created_at', 'description', 'entities', 'id',
  'is_identity_verified', 'location', 'most_recent_tweet_id', 'name', 'parody', 'pinned_tweet_id',
  'profile_banner_url', 'profile_image_url', 'protected', 'public_metrics', 'receives_your_dm', 'subscription',
  'subscription_type', 'url', 'username', 'verified', 'verified_followers_count', 'verified_type', 'withheld',
];
export const TWEET_EXPANSIONS = [
  'article.cover_media', 'article.media_entities', 'attachments.media_keys', 'attachments.media_source_tweet',
  'attachments.poll_ids', 'author_id', 'edit_history_tweet_ids', 'entities.mentions.username', 'geo.place_id',
  'in_reply_to_user_id', 'entities.note.mentions.username', 'referenced_tweets.id', 'referenced_tweets.id.attachments.media_keys',
  'referenced_tweets.id.author_id',
];
export const USER_EXPANSIONS = ['affiliation.user_id', 'most_recent_tweet_id', 'pinned_tweet_id'];
const MEDIA_FIELDS = [
  'alt_text', 'duration_ms', 'height', 'media_key', 'non_public_metrics', 'organic_metrics', 'preview_image_url',
  'promoted_metrics', 'public_metrics', 'type', 'url', 'variants', 'width',
];
const POLL_FIELDS = ['duration_minutes', 'end_datetime', 'id', 'options', 'voting_status'];
const PLACE_FIELDS = ['contained_within', 'country', 'country_code', 'full_name', 'geo', 'id', 'name', 'place_type'];

/** The field parameters of endpoints that return tweets, and of those that return users. */
export const TWEET_FIELD_PARAMS = ['tweet.fields', 'expansions', 'media.fields', 'poll.fields', 'user.fields', 'place.fields'];
export const USER_FIELD_PARAMS = ['user.fields', 'expansions', 'tweet.fields'];

export interface Fields {
  tweet: Set<string>;
  user: Set<string>;
  expansions: Set<string>;
}

const NONE = new Set<string>();

/** Parses the field lists, rejecting unknown values the way X does; `primary` picks the expansion list. */
export function parseFields(q: URLSearchParams, primary: 'tweet' | 'user' = 'tweet'): Fields | Reply {
  const out: Fields = { tweet: NONE, user: NONE, expansions: NONE };
  const lists: Array<[string, string[], keyof Fields | undefined]> = [
    ['tweet.fields', TWEET_FIELDS, 'tweet'],
    ['user.fields', USER_FIELDS, 'user'],
    ['expansions', primary === 'tweet' ? TWEET_EXPANSIONS : USER_EXPANSIONS, 'expansions'],
    ['media.fields', MEDIA_FIELDS, undefined],
    ['poll.fields', POLL_FIELDS, undefined],
    ['place.fields', PLACE_FIELDS, undefined],
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
    if (key) out[key] = new Set(values);
  }
  return out;
}

const CYRILLIC = /[\u0400-\u04FF]/;
const LATIN = /[A-Za-z]/;

/** X's detected language, roughly: Cyrillic → ru, Latin letters → en, otherwise undetermined. */
export function langOf(t: Tweet): string {
  if (t.lang) return t.lang;
  return CYRILLIC.test(t.text) ? 'ru' : LATIN.test(t.text) ? 'en' : 'und';
}

const userIdOf = (state: State) => (name: string) => state.account(name)?.id;

/** The text X shows for a tweet: escaped, t.co links, cut to 280 (a retweet: `RT @user: ` and the start). */
export function textOf(state: State, t: Tweet): RenderedText {
  if (t.retweetOf) {
    const orig = state.tweets.get(t.retweetOf);
    const author = orig && state.accounts.get(orig.authorId);
    if (orig && author) return renderRetweetText(author.username, orig.text, orig.id, userIdOf(state));
  }
  return renderText(t.text, t.id, userIdOf(state));
}

function references(state: State, t: Tweet): Array<{ type: 'retweeted' | 'quoted' | 'replied_to'; id: string }> {
  const out: Array<{ type: 'retweeted' | 'quoted' | 'replied_to'; id: string }> = [];
  if (t.retweetOf) out.push({ type: 'retweeted', id: t.retweetOf });
  if (t.quoteOf) out.push({ type: 'quoted', id: t.quoteOf });
  if (t.replyTo) out.push({ type: 'replied_to', id: t.replyTo });
  return out;
}

export function inReplyToUser(state: State, t: Tweet): string | undefined {
  return t.replyTo ? state.tweets.get(t.replyTo)?.authorId : undefined;
}

export function renderTweet(state: State, t: Tweet, f: Set<string>, nowMs: number): Record<string, unknown> {
  const shown = textOf(state, t);
  const out: Record<string, unknown> = { id: t.id, text: shown.text, edit_history_tweet_ids: [t.id] };
  if (f.size === 0) return out;
  if (f.has('author_id')) out.author_id = t.authorId;
  if (f.has('created_at')) out.created_at = new Date(t.createdAt).toISOString();
  if (f.has('conversation_id')) out.conversation_id = t.conversationId ?? t.id;
  if (f.has('in_reply_to_user_id')) {
    const to = inReplyToUser(state, t);
    if (to) out.in_reply_to_user_id = to;
  }
  if (f.has('lang')) {
    const orig = t.retweetOf ? state.tweets.get(t.retweetOf) : undefined;
    out.lang = langOf(orig ?? t);
  }
  if (f.has('possibly_sensitive')) out.possibly_sensitive = false;
  if (f.has('reply_settings')) out.reply_settings = 'everyone';
  if (f.has('entities') && Object.keys(shown.entities).length) out.entities = shown.entities;
  if (f.has('note_tweet') && shown.note) {
    out.note_tweet = Object.keys(shown.note.entities).length ? shown.note : { text: shown.note.text };
  }
  if (f.has('geo') && t.coordinates) out.geo = { coordinates: { type: 'Point', coordinates: t.coordinates } };
  if (f.has('referenced_tweets')) {
    const refs = references(state, t);
    if (refs.length) out.referenced_tweets = refs;
  }
  if (f.has('public_metrics')) {
    // A retweet's own counters stay at zero on X; the original's count grows.
    out.public_metrics = t.retweetOf
      ? { retweet_count: 0, reply_count: 0, like_count: 0, quote_count: 0, impression_count: 0, bookmark_count: 0 }
      : publicMetrics(state.seed, t.id, (nowMs - t.createdAt) / 1000, state.engagement(t.id));
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
  if (f.has('most_recent_tweet_id')) {
    const list = state.byAuthor.get(a.id) ?? [];
    for (let i = list.length - 1; i >= 0; i--) {
      if (!list[i]!.deleted) {
        out.most_recent_tweet_id = list[i]!.id;
        break;
      }
    }
  }
  if (f.has('public_metrics')) {
    out.public_metrics = {
      followers_count: state.followersOf(a.id),
      following_count: state.follows.get(a.id)?.size ?? 0,
      tweet_count: (state.byAuthor.get(a.id) ?? []).filter((t) => !t.deleted).length,
      listed_count: 0,
      like_count: state.liked.get(a.id)?.length ?? 0,
    };
  }
  return out;
}

/** `data` plus `includes` for the requested expansions (authors, referenced tweets, mentioned users). */
export function renderTweets(state: State, tweets: Tweet[], f: Fields, nowMs: number) {
  const data = tweets.map((t) => renderTweet(state, t, f.tweet, nowMs));
  const includes: Record<string, unknown[]> = {};
  const refs: Tweet[] = [];
  if (f.expansions.has('referenced_tweets.id') || f.expansions.has('referenced_tweets.id.author_id')) {
    const seen = new Set<string>();
    for (const t of tweets) {
      for (const r of references(state, t)) {
        const rt = state.tweets.get(r.id);
        if (rt && !seen.has(rt.id)) {
          seen.add(rt.id);
          refs.push(rt);
        }
      }
    }
    if (refs.length && f.expansions.has('referenced_tweets.id')) includes.tweets = refs.map((r) => renderTweet(state, r, f.tweet, nowMs));
  }
  const authors = new Set<string>();
  if (f.expansions.has('author_id')) for (const t of tweets) authors.add(t.authorId);
  if (f.expansions.has('referenced_tweets.id.author_id')) for (const r of refs) authors.add(r.authorId);
  if (f.expansions.has('in_reply_to_user_id')) {
    for (const t of tweets) {
      const to = inReplyToUser(state, t);
      if (to) authors.add(to);
    }
  }
  if (f.expansions.has('entities.mentions.username')) {
    for (const t of tweets) for (const m of textOf(state, t).entities.mentions ?? []) if (m.id) authors.add(m.id);
  }
  const users: unknown[] = [];
  for (const id of authors) {
    const a = state.accounts.get(id);
    if (a) users.push(renderUser(state, a, f.user));
  }
  if (users.length) includes.users = users;
  return { data, includes: Object.keys(includes).length ? includes : undefined };
}

/** `data` plus `includes.tweets` (pinned / most recent tweet) for endpoints that return users. */
export function renderUsers(state: State, users: Account[], f: Fields, nowMs: number) {
  const userFields = new Set(f.user);
  if (f.expansions.has('most_recent_tweet_id')) userFields.add('most_recent_tweet_id');
  const data = users.map((a) => renderUser(state, a, userFields));
  const tweets: unknown[] = [];
  if (f.expansions.has('most_recent_tweet_id')) {
    for (const u of data) {
      const t = typeof u.most_recent_tweet_id === 'string' ? state.tweets.get(u.most_recent_tweet_id) : undefined;
      if (t) tweets.push(renderTweet(state, t, f.tweet, nowMs));
    }
  }
  return { data, includes: tweets.length ? { tweets } : undefined };
}
