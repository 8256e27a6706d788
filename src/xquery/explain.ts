/**
 * explain(): whether a tweet matches and, in words, which clause decided it — the first failing clause
 * of an AND, the first holding branch of an OR. formatQuery(): the query with its grouping made explicit.
 */
import type { HasValue, IsValue, Node, Query, Term } from './ast.js';
import { holds, TweetView, type MatchableTweet } from './matcher.js';

export function explain(query: Query, tweet: MatchableTweet): { matched: boolean; reason: string } {
  const v = new TweetView(tweet, query.flavor);
  const { held, reason } = walk(query.root, v);
  return { matched: held, reason: `${held ? 'matched' : 'no match'}: ${reason}` };
}

interface Step {
  held: boolean;
  reason: string;
}

function walk(n: Node, v: TweetView): Step {
  switch (n.kind) {
    case 'group':
      return walk(n.child, v);
    case 'not': {
      const inner = walk(n.child, v);
      const src = formatNode(n);
      return inner.held
        ? { held: false, reason: `${src} failed, since ${inner.reason}` }
        : { held: true, reason: `${src} held, since ${inner.reason}` };
    }
    case 'and': {
      const steps: Step[] = [];
      for (const c of n.children) {
        const s = walk(c, v);
        if (!s.held) return s;
        steps.push(s);
      }
      return { held: true, reason: steps.map((s) => s.reason).join('; ') };
    }
    case 'or': {
      const steps: Step[] = [];
      for (const c of n.children) {
        const s = walk(c, v);
        if (s.held) return s;
        steps.push(s);
      }
      return { held: false, reason: steps.map((s) => s.reason).join('; ') };
    }
    default: {
      const held = holds(n, v);
      return { held, reason: `${n.raw} ${held ? 'held' : 'failed'} (${describe(n, v, held)})` };
    }
  }
}

const IS_WORDS: Record<IsValue, string> = {
  retweet: 'a retweet',
  reply: 'a reply',
  quote: 'a quote',
  verified: 'by a verified author',
  nullcast: 'an ads-only post',
};
const HAS_WORDS: Record<HasValue, string> = {
  hashtags: 'hashtags',
  cashtags: 'cashtags',
  links: 'links or media',
  mentions: 'mentions',
  media: 'media',
  images: 'images',
  video_link: 'native video',
  geo: 'geo data',
};

/** What the clause looked at, in a few words. */
function describe(t: Term, v: TweetView, held: boolean): string {
  const tw = v.tweet;
  const list = (s: Iterable<string>) => [...s].join(', ') || 'none';
  switch (t.kind) {
    case 'keyword':
      return `${held ? 'the text has' : 'no'} ${t.tokens.length > 1 ? `words ${t.tokens.join(' ')} in a row` : `word ${t.tokens[0]}`}${held ? '' : ' in the text'}`;
    case 'phrase':
      return `${held ? 'the text has' : 'no'} phrase "${t.phrase}"${held ? '' : ' in the text'}`;
    case 'hashtag':
      return `hashtags: ${list(v.hashtags)}`;
    case 'mention':
      return `mentions: ${list(v.mentions)}`;
    case 'cashtag':
      return `cashtags: ${list(v.cashtags)}`;
    case 'from':
      return `author @${tw.author_username} (${tw.author_id})`;
    case 'to':
      return tw.in_reply_to_user_id || tw.in_reply_to_username
        ? `in reply to @${tw.in_reply_to_username ?? '?'} (${tw.in_reply_to_user_id ?? '?'})`
        : 'not a reply';
    case 'retweets_of':
      return v.isRetweet ? `a retweet of @${v.retweetedUsername ?? '?'} (${v.ref('retweeted')?.author_id ?? '?'})` : 'not a retweet';
    case 'is':
      return `${held ? 'it is' : 'not'} ${IS_WORDS[t.value]}`;
    case 'has':
      return `${held ? 'it has' : 'no'} ${HAS_WORDS[t.value]}`;
    case 'lang':
      return `lang ${tw.lang ?? 'unknown'}`;
    case 'conversation_id':
      return `conversation ${tw.conversation_id ?? 'unknown'}`;
    case 'in_reply_to_tweet_id':
      return v.ref('replied_to') ? `replies to ${v.ref('replied_to')!.id}` : 'not a reply';
    case 'retweets_of_tweet_id':
      return v.ref('retweeted') ? `retweets ${v.ref('retweeted')!.id}` : 'not a retweet';
    case 'quotes_of_tweet_id':
      return v.ref('quoted') ? `quotes ${v.ref('quoted')!.id}` : 'not a quote';
    case 'url':
      return `links: ${list(v.urls)}`;
    case 'bounding_box':
    case 'point_radius':
      return v.coordinates ? `at ${v.coordinates[0]} ${v.coordinates[1]}` : v.isRetweet ? 'a retweet: geo belongs to the original' : 'no coordinates';
  }
}

/** The query with explicit grouping: `apple OR iphone ipad` → `apple OR (iphone ipad)`. */
export function formatQuery(query: Query): string {
  return formatNode(query.root);
}

function formatNode(n: Node): string {
  switch (n.kind) {
    case 'group':
      return formatNode(n.child);
    case 'not':
      return `-${wrap(n.child)}`;
    case 'and':
      return n.children.map((c) => (c.kind === 'or' || (c.kind === 'group' && c.child.kind === 'or') ? `(${formatNode(c)})` : formatNode(c))).join(' ');
    case 'or':
      return n.children.map((c) => wrap(c)).join(' OR ');
    default:
      return n.raw;
  }
}

/** An operand of OR or of a negation: parenthesised unless it is a single clause. */
function wrap(n: Node): string {
  const inner = n.kind === 'group' ? n.child : n;
  if (inner.kind === 'and' || inner.kind === 'or') return `(${formatNode(inner)})`;
  return formatNode(inner);
}
