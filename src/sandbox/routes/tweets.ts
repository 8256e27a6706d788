/** Tweets: post (with reply and quote), delete, look up, and who retweeted, quoted or liked one. */
import type { Ctx } from '../core.js';
import {
  duplicate, forbidden, invalidParam, invalidRequest, isReply, json, notFoundProblem, parseJson, type Reply,
} from '../http.js';
import { badId, ID_RE, listTweets, listUsers, newestFirst, pathId } from '../params.js';
import { parseFields, renderTweets, TWEET_FIELD_PARAMS, USER_FIELD_PARAMS, type Fields } from '../render.js';
import type { Account, Tweet } from '../state.js';
import { MAX_WEIGHTED, weightedLength } from '../text.js';
import type { RouteDef } from './route.js';

export const tweetRoutes: RouteDef[] = [
  { method: 'POST', template: '/2/tweets', auth: 'user', query: [], handler: postTweet },
  { method: 'GET', template: '/2/tweets', auth: 'user|app', query: ['ids', ...TWEET_FIELD_PARAMS], handler: lookupMany },
  { method: 'GET', template: '/2/tweets/:id', auth: 'user|app', query: TWEET_FIELD_PARAMS, handler: lookupOne },
  { method: 'DELETE', template: '/2/tweets/:id', auth: 'user', query: [], handler: deleteTweet },
  {
    method: 'GET',
    template: '/2/tweets/:id/retweeted_by',
    auth: 'user|app',
    query: ['max_results', 'pagination_token', ...USER_FIELD_PARAMS],
    handler: (ctx) => usersOf(ctx, (id) => (ctx.core.state.retweetsOf.get(id) ?? []).map((t) => t.authorId)),
  },
  {
    method: 'GET',
    template: '/2/tweets/:id/liking_users',
    auth: 'user',
    query: ['max_results', 'pagination_token', ...USER_FIELD_PARAMS],
    handler: (ctx) => usersOf(ctx, (id) => ctx.core.state.likers.get(id) ?? []),
  },
  {
    method: 'GET',
    template: '/2/tweets/:id/quote_tweets',
    auth: 'user|app',
    query: ['max_results', 'pagination_token', 'exclude', ...TWEET_FIELD_PARAMS],
    handler: quoteTweets,
  },
];

const TOO_LONG =
  'Your Tweet text is too long. For more information on how Twitter determines text length see https://github.com/twitter/twitter-text.';
const CREATE_FIELDS = [
  'card_uri', 'community_id', 'direct_message_deep_link', 'edit_options', 'for_super_followers_only', 'geo', 'media',
  'nullcast', 'poll', 'quote_tweet_id', 'reply', 'reply_settings', 'share_with_followers', 'text',
];
const REPLY_FIELDS = ['auto_populate_reply_metadata', 'exclude_reply_user_ids', 'in_reply_to_tweet_id'];

/** X refuses a body that is not JSON by content type before reading it. */
export function jsonBody(ctx: Ctx): Record<string, unknown> | Reply {
  if (!/^application\/json\b/i.test(ctx.contentType)) {
    return invalidRequest({ message: 'Requests with bodies must have content-type of application/json.' });
  }
  const body = parseJson(ctx.body);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return invalidRequest({ message: 'Request body must be a JSON object' });
  return body as Record<string, unknown>;
}

/** `additionalProperties: false`, in the words of X's JSON-schema validator. */
function unknownFields(obj: Record<string, unknown>, allowed: string[], at: string): Reply | undefined {
  const extra = Object.keys(obj).filter((k) => !allowed.includes(k));
  if (!extra.length) return undefined;
  return invalidRequest(...extra.map((k) => ({ message: `${at}.${k}: is not defined in the schema and the schema does not allow additional properties` })));
}

function postTweet(ctx: Ctx): Reply {
  const body = jsonBody(ctx);
  if (isReply(body)) return body;
  const extra = unknownFields(body, CREATE_FIELDS, '$');
  if (extra) return extra;
  const { state } = ctx.core;
  const user = ctx.user!;
  let replyTo: Tweet | undefined;
  if (body.reply !== undefined) {
    const r = body.reply as Record<string, unknown>;
    if (typeof r !== 'object' || r === null || Array.isArray(r)) return invalidRequest({ message: '$.reply: object expected' });
    const bad = unknownFields(r, REPLY_FIELDS, '$.reply');
    if (bad) return bad;
    const id = r.in_reply_to_tweet_id;
    if (typeof id !== 'string' || !ID_RE.test(id)) return invalidRequest({ message: '$.reply.in_reply_to_tweet_id: does not match the regex pattern ^[0-9]{1,19}$' });
    replyTo = state.tweets.get(id);
    if (!replyTo) return forbidden('You attempted to reply to a Tweet that is deleted or not visible to you.');
  }
  let quoteOf: Tweet | undefined;
  if (body.quote_tweet_id !== undefined) {
    const id = body.quote_tweet_id;
    if (typeof id !== 'string' || !ID_RE.test(id)) return invalidRequest({ message: '$.quote_tweet_id: does not match the regex pattern ^[0-9]{1,19}$' });
    if (body.media !== undefined || body.poll !== undefined || body.card_uri !== undefined) {
      return invalidRequest({ message: 'quote_tweet_id is mutually exclusive with media, poll and card_uri' });
    }
    quoteOf = state.tweets.get(id);
    if (!quoteOf) return json(400, { ...notFoundProblem('quote_tweet_id', id, 'tweet'), status: 400 });
  }
  if (body.media !== undefined) {
    // The sandbox has no media upload, so no media id can be one X issued.
    return invalidRequest({ message: 'Your media IDs are invalid.' });
  }
  const text = body.text;
  if (text !== undefined && typeof text !== 'string') return invalidRequest({ message: '$.text: string found, expected string' });
  if (text === undefined && !quoteOf) return invalidRequest({ message: '$.text: is missing but it is required' });
  const raw = text ?? '';
  if (raw.trim() === '' && !quoteOf) return invalidParam('text', raw, 'Your Tweet text is empty.');
  if (weightedLength(raw) > MAX_WEIGHTED) return invalidRequest({ message: TOO_LONG });
  if (raw && state.duplicateOf(user.id, raw)) return duplicate();
  const t = state.addTweet(user, raw, state.now(), { replyTo: replyTo?.id, quoteOf: quoteOf?.id });
  ctx.core.touch();
  const { data } = renderTweets(state, [t], NO_FIELDS, state.now());
  return json(201, { data: data[0] });
}

const NO_FIELDS: Fields = { tweet: new Set(), user: new Set(), expansions: new Set() };

function deleteTweet(ctx: Ctx): Reply {
  const id = pathId(ctx);
  if (isReply(id)) return id;
  const { state } = ctx.core;
  const t = state.tweets.get(id);
  if (!t) return json(404, { ...notFoundProblem('id', id, 'tweet'), status: 404 });
  if (t.authorId !== ctx.user!.id) return forbidden('You are not allowed to delete a Tweet that is not yours.');
  state.deleteTweet(t);
  ctx.core.touch();
  return json(200, { data: { deleted: true } });
}

function tweetsBody(ctx: Ctx, tweets: Tweet[], fields: Fields, errors: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (tweets.length) {
    const { data, includes } = renderTweets(ctx.core.state, tweets, fields, ctx.core.state.now());
    out.data = data;
    if (includes) out.includes = includes;
  }
  if (errors.length) out.errors = errors;
  return out;
}

function lookupMany(ctx: Ctx): Reply {
  const fields = parseFields(ctx.query);
  if (isReply(fields)) return fields;
  const raw = ctx.query.get('ids');
  if (!raw) return invalidParam('ids', raw ?? '', 'The `ids` query parameter can not be empty');
  const ids = raw.split(',');
  if (ids.length > 100) return invalidParam('ids', raw, `The number of values in the \`ids\` query parameter list [${ids.length}] is not between 1 and 100`);
  for (const id of ids) if (!ID_RE.test(id)) return badId('ids', id);
  const { state } = ctx.core;
  const found: Tweet[] = [];
  const errors: unknown[] = [];
  for (const id of ids) {
    const t = state.tweets.get(id);
    if (t) found.push(t);
    else errors.push(notFoundProblem('ids', id, 'tweet'));
  }
  return json(200, tweetsBody(ctx, found, fields, errors));
}

function lookupOne(ctx: Ctx): Reply {
  const fields = parseFields(ctx.query);
  if (isReply(fields)) return fields;
  const id = pathId(ctx);
  if (isReply(id)) return id;
  const t = ctx.core.state.tweets.get(id);
  // X answers a missing tweet with 200 and an errors array, not 404.
  if (!t) return json(200, { errors: [notFoundProblem('id', id, 'tweet')] });
  const body = tweetsBody(ctx, [t], fields, []);
  return json(200, { ...body, data: (body.data as unknown[])[0] });
}

/** The tweet behind `:id` (a retweet stands for its original), or X's answer for a missing one. */
function target(ctx: Ctx): Tweet | Reply {
  const id = pathId(ctx);
  if (isReply(id)) return id;
  const t = ctx.core.state.tweets.get(id);
  if (!t) return json(200, { errors: [notFoundProblem('id', id, 'tweet')], meta: { result_count: 0 } });
  return t;
}

function usersOf(ctx: Ctx, ids: (tweetId: string) => string[]): Reply {
  const t = target(ctx);
  if (isReply(t)) return t;
  const users = ids(t.id).map((id) => ctx.core.state.accounts.get(id)).filter((a): a is Account => !!a);
  return listUsers(ctx, users);
}

function quoteTweets(ctx: Ctx): Reply {
  const t = target(ctx);
  if (isReply(t)) return t;
  return listTweets(ctx, {
    min: 10,
    max: 100,
    def: 10,
    candidates: (c) => newestFirst(c.core.state.quotesOf.get(t.id)),
  });
}
