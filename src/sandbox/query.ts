/**
 * The bridge between stored tweets and X's query language (src/xquery): compiles a search query or a
 * stream rule, answering a malformed one with X's 400, and tests stored tweets against it.
 */
import { matches, parseQuery, XQuerySyntaxError, type MatchableTweet, type Query } from '../xquery/index.js';
import { invalidRequest, type Reply } from './http.js';
import { langOf } from './render.js';
import type { State, Tweet } from './state.js';

export interface Compiled {
  query: Query;
  test(t: Tweet): boolean;
}

/** X's 400 for a query it cannot parse: the parser's message after X's own prefix. */
export function queryError(param: string, value: string, message: string): Reply {
  return invalidRequest({ parameters: { [param]: [value] }, message: `There were errors processing your request: ${message}` });
}

/** What the matcher needs of a stored tweet: raw text, author, thread, references, place. */
export function matchable(state: State, t: Tweet): MatchableTweet {
  const author = state.accounts.get(t.authorId);
  const out: MatchableTweet = {
    id: t.id,
    text: t.text,
    author_id: t.authorId,
    author_username: author?.username ?? '',
    lang: langOf(t.retweetOf ? (state.tweets.get(t.retweetOf) ?? t) : t),
    conversation_id: t.conversationId ?? t.id,
  };
  const refs: NonNullable<MatchableTweet['referenced_tweets']> = [];
  for (const [type, id] of [['retweeted', t.retweetOf], ['quoted', t.quoteOf], ['replied_to', t.replyTo]] as const) {
    if (!id) continue;
    const r = state.tweets.get(id);
    const ra = r && state.accounts.get(r.authorId);
    refs.push({ type, id, ...(r ? { author_id: r.authorId, text: r.text } : {}), ...(ra ? { author_username: ra.username } : {}) });
    if (type === 'replied_to' && r) {
      out.in_reply_to_user_id = r.authorId;
      if (ra) out.in_reply_to_username = ra.username;
    }
  }
  if (refs.length) out.referenced_tweets = refs;
  if (t.coordinates) out.coordinates = t.coordinates;
  return out;
}

export function compile(
  state: State,
  query: string,
  opts: { maxLength: number; param?: string; flavor?: 'search' | 'stream' },
): Compiled | Reply {
  let q: Query;
  try {
    q = parseQuery(query, { maxLength: opts.maxLength, flavor: opts.flavor ?? 'search' });
  } catch (err) {
    if (err instanceof XQuerySyntaxError) return queryError(opts.param ?? 'query', query, err.message);
    throw err;
  }
  return { query: q, test: (t) => matches(q, matchable(state, t)) };
}
