/**
 * Whether a tweet matches a parsed query, operator by operator as X's operator list describes them
 * (docs.x.com x-api/posts/search/integrate/operators, filtered-stream/integrate/operators).
 */
import type { Flavor, Node, Query, Term } from './ast.js';
import {
  containsPhrase,
  containsTokens,
  distanceKm,
  extractCashtags,
  extractHashtags,
  extractMentions,
  extractUrls,
  normalize,
  tokenize,
} from './text.js';

/** What a tweet must offer to be matched. Entity lists, when absent, are derived from `text`. */
export interface MatchableTweet {
  id: string;
  /** Raw text, not HTML-escaped. */
  text: string;
  author_id: string;
  author_username: string;
  lang?: string;
  conversation_id?: string;
  in_reply_to_user_id?: string;
  in_reply_to_username?: string;
  /** `text` of a quoted post lets filtered-stream rules match it, as X's stream does. */
  referenced_tweets?: { type: 'retweeted' | 'quoted' | 'replied_to'; id: string; author_id?: string; author_username?: string; text?: string }[];
  mentions?: string[];
  hashtags?: string[];
  cashtags?: string[];
  /** Links in the post (t.co or expanded; both are matched by url:). */
  urls?: string[];
  media?: ('photo' | 'video' | 'animated_gif')[];
  /** For is:verified; absent means not verified. */
  author_verified?: boolean;
  /** [longitude, latitude] */
  coordinates?: [number, number];
}

/** A tweet's derived facts, each computed on first use and kept for the rest of one evaluation. */
export class TweetView {
  private cache = new Map<string, unknown>();
  constructor(
    readonly tweet: MatchableTweet,
    readonly flavor: Flavor,
  ) {}

  private memo<T>(key: string, f: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, f());
    return this.cache.get(key) as T;
  }

  /** The texts operators read: the post's own, and for stream rules also a quoted post's. */
  get texts(): string[] {
    return this.memo('texts', () => {
      const quoted = this.flavor === 'stream' ? (this.tweet.referenced_tweets ?? []).filter((r) => r.type === 'quoted' && r.text) : [];
      return [this.tweet.text, ...quoted.map((r) => r.text!)];
    });
  }
  get tokens(): string[][] {
    return this.memo('tokens', () => this.texts.map((t) => tokenize(t, this.flavor)));
  }
  get hashtags(): Set<string> {
    return this.memo('hashtags', () => {
      const own = this.tweet.hashtags ?? extractHashtags(this.tweet.text);
      const quoted = this.texts.slice(1).flatMap(extractHashtags);
      return new Set([...own, ...quoted].map((h) => normalize(h.replace(/^[#＃]/u, ''), this.flavor)));
    });
  }
  get mentions(): Set<string> {
    return this.memo('mentions', () => {
      const own = this.tweet.mentions ?? extractMentions(this.tweet.text);
      const quoted = this.texts.slice(1).flatMap(extractMentions);
      return new Set([...own, ...quoted].map((m) => m.replace(/^[@＠]/u, '').toLowerCase()));
    });
  }
  get cashtags(): Set<string> {
    return this.memo('cashtags', () => {
      const own = this.tweet.cashtags ?? extractCashtags(this.tweet.text);
      const quoted = this.texts.slice(1).flatMap(extractCashtags);
      return new Set([...own, ...quoted].map((c) => c.replace(/^\$/u, '').toLowerCase()));
    });
  }
  get urls(): string[] {
    return this.memo('urls', () => this.tweet.urls ?? extractUrls(this.tweet.text));
  }
  ref(type: 'retweeted' | 'quoted' | 'replied_to') {
    return (this.tweet.referenced_tweets ?? []).find((r) => r.type === type);
  }
  get isRetweet(): boolean {
    return !!this.ref('retweeted');
  }
  /** The retweeted author's username: from the reference, else from the "RT @user:" X puts in front. */
  get retweetedUsername(): string | undefined {
    const ref = this.ref('retweeted');
    if (!ref) return undefined;
    return (ref.author_username ?? /^RT @([A-Za-z0-9_]{1,15}):/.exec(this.tweet.text)?.[1])?.toLowerCase();
  }
  /** Coordinates that geo operators may use: X's place data belongs to original posts, not retweets. */
  get coordinates(): [number, number] | undefined {
    return this.isRetweet ? undefined : this.tweet.coordinates;
  }
}

export function matches(query: Query, tweet: MatchableTweet): boolean {
  return evaluate(query.root, new TweetView(tweet, query.flavor));
}

/**
 * The rules a tweet matches, in the order given. The tweet's tokens and entities are worked out once for
 * all rules, which matters to a stream checking every rule against every new post.
 */
export function matchingRules<R extends { query: Query }>(rules: Iterable<R>, tweet: MatchableTweet): R[] {
  const views = new Map<Flavor, TweetView>();
  const out: R[] = [];
  for (const rule of rules) {
    const { flavor, root } = rule.query;
    let view = views.get(flavor);
    if (!view) views.set(flavor, (view = new TweetView(tweet, flavor)));
    if (evaluate(root, view)) out.push(rule);
  }
  return out;
}

export function evaluate(n: Node, v: TweetView): boolean {
  switch (n.kind) {
    case 'not':
      return !evaluate(n.child, v);
    case 'group':
      return evaluate(n.child, v);
    case 'and':
      return n.children.every((c) => evaluate(c, v));
    case 'or':
      return n.children.some((c) => evaluate(c, v));
    default:
      return holds(n, v);
  }
}

export function holds(t: Term, v: TweetView): boolean {
  const tw = v.tweet;
  switch (t.kind) {
    case 'keyword':
      return v.tokens.some((toks) => containsTokens(toks, t.tokens));
    case 'phrase':
      return v.texts.some((text) => containsPhrase(text, t.phrase, v.flavor));
    case 'hashtag':
      return v.hashtags.has(t.value);
    case 'mention':
      return v.mentions.has(t.value);
    case 'cashtag':
      return v.cashtags.has(t.value);
    case 'from':
      return t.byId ? tw.author_id === t.user : tw.author_username.toLowerCase() === t.user;
    case 'to':
      return t.byId ? tw.in_reply_to_user_id === t.user : tw.in_reply_to_username?.toLowerCase() === t.user;
    case 'retweets_of': {
      const ref = v.ref('retweeted');
      if (!ref) return false;
      return t.byId ? ref.author_id === t.user : v.retweetedUsername === t.user;
    }
    case 'is':
      switch (t.value) {
        case 'retweet':
          return v.isRetweet;
        case 'reply':
          return !!v.ref('replied_to') || tw.in_reply_to_user_id !== undefined;
        case 'quote':
          return !!v.ref('quoted');
        case 'verified':
          return tw.author_verified === true;
        case 'nullcast':
          return false; // no post here is an ads-only promotion
      }
      break;
    case 'has':
      switch (t.value) {
        case 'hashtags':
          return v.hashtags.size > 0;
        case 'cashtags':
          return v.cashtags.size > 0;
        case 'mentions':
          return v.mentions.size > 0;
        case 'links':
          return v.urls.length > 0 || (tw.media?.length ?? 0) > 0;
        case 'media':
          return (tw.media?.length ?? 0) > 0;
        case 'images':
          return tw.media?.includes('photo') ?? false;
        case 'video_link':
          return tw.media?.includes('video') ?? false;
        case 'geo':
          return v.coordinates !== undefined;
      }
      break;
    case 'lang':
      return tw.lang?.toLowerCase() === t.value;
    case 'conversation_id':
      return tw.conversation_id === t.id;
    case 'in_reply_to_tweet_id':
      return v.ref('replied_to')?.id === t.id;
    case 'retweets_of_tweet_id':
      return v.ref('retweeted')?.id === t.id;
    case 'quotes_of_tweet_id':
      return v.ref('quoted')?.id === t.id;
    case 'url':
      return v.urls.some((u) => (t.phrase !== undefined ? containsPhrase(u, t.phrase, v.flavor) : containsTokens(tokenize(u, v.flavor), t.tokens)));
    case 'bounding_box': {
      const c = v.coordinates;
      return !!c && c[0] >= t.west && c[0] <= t.east && c[1] >= t.south && c[1] <= t.north;
    }
    case 'point_radius': {
      const c = v.coordinates;
      return !!c && distanceKm(t.lon, t.lat, c[0], c[1]) <= t.radiusKm;
    }
  }
  return false;
}
