/** Retweets and likes by the authenticated user, and the tweets a user liked. */
import type { Core, Ctx } from '../core.js';
import { forbidden, invalidRequest, isReply, json, notFoundProblem, type Reply } from '../http.js';
import { ID_RE, listTweets, pathId } from '../params.js';
import { TWEET_FIELD_PARAMS } from '../render.js';
import { cmpId, type Account, type Tweet } from '../state.js';
import { jsonBody } from './tweets.js';
import type { RouteDef } from './route.js';

export const engagementRoutes: RouteDef[] = [
  { method: 'POST', template: '/2/users/:id/retweets', auth: 'user', query: [], handler: (ctx) => act(ctx, 'retweet') },
  { method: 'DELETE', template: '/2/users/:id/retweets/:tweet_id', auth: 'user', query: [], handler: (ctx) => undo(ctx, 'retweet') },
  { method: 'POST', template: '/2/users/:id/likes', auth: 'user', query: [], handler: (ctx) => act(ctx, 'like') },
  { method: 'DELETE', template: '/2/users/:id/likes/:tweet_id', auth: 'user', query: [], handler: (ctx) => undo(ctx, 'like') },
  {
    method: 'GET',
    template: '/2/users/:id/liked_tweets',
    auth: 'user',
    query: ['max_results', 'pagination_token', ...TWEET_FIELD_PARAMS],
    handler: likedTweets,
  },
];

/** A retweet stands for its original: retweeting or liking it acts on the original. */
export function original(core: Core, id: string): Tweet | undefined {
  const t = core.state.tweets.get(id);
  return t?.retweetOf ? core.state.tweets.get(t.retweetOf) : t;
}

/** Retweets (once: a second retweet changes nothing) and moves the original's counts. */
export function retweetAs(core: Core, user: Account, target: Tweet): void {
  const { state } = core;
  if (state.retweets.has(`${user.id}:${target.id}`)) return;
  const author = state.accounts.get(target.authorId)!;
  state.addTweet(user, `RT @${author.username}: ${target.text}`, state.now(), { retweetOf: target.id });
  core.touch();
}

function act(ctx: Ctx, what: 'retweet' | 'like'): Reply {
  const id = pathId(ctx);
  if (isReply(id)) return id;
  if (id !== ctx.user!.id) return forbidden(`You are not allowed to ${what} on behalf of another user.`);
  const body = jsonBody(ctx);
  if (isReply(body)) return body;
  const extra = Object.keys(body).filter((k) => k !== 'tweet_id');
  if (extra.length) return invalidRequest({ message: `$.${extra[0]}: is not defined in the schema and the schema does not allow additional properties` });
  const tid = body.tweet_id;
  if (tid === undefined) return invalidRequest({ message: '$.tweet_id: is missing but it is required' });
  if (typeof tid !== 'string' || !ID_RE.test(tid)) return invalidRequest({ message: '$.tweet_id: does not match the regex pattern ^[0-9]{1,19}$' });
  const target = original(ctx.core, tid);
  if (!target) return json(404, { ...notFoundProblem('tweet_id', tid, 'tweet'), status: 404 });
  if (what === 'retweet') {
    retweetAs(ctx.core, ctx.user!, target);
    return json(200, { data: { id: target.id, retweeted: true } });
  }
  if (ctx.core.state.like(ctx.user!, target.id)) ctx.core.touch();
  return json(200, { data: { liked: true } });
}

function undo(ctx: Ctx, what: 'retweet' | 'like'): Reply {
  const id = pathId(ctx);
  if (isReply(id)) return id;
  const tid = pathId(ctx, 'tweet_id');
  if (isReply(tid)) return tid;
  if (id !== ctx.user!.id) return forbidden(`You are not allowed to undo a ${what} on behalf of another user.`);
  const { state } = ctx.core;
  if (what === 'retweet') {
    const rtId = state.retweets.get(`${ctx.user!.id}:${tid}`);
    const rt = rtId ? state.tweets.get(rtId) : undefined;
    if (rt) {
      state.deleteTweet(rt);
      ctx.core.touch();
    }
    return json(200, { data: { retweeted: false } });
  }
  state.unlike(ctx.user!, tid);
  ctx.core.touch();
  return json(200, { data: { liked: false } });
}

function likedTweets(ctx: Ctx): Reply {
  const id = pathId(ctx);
  if (isReply(id)) return id;
  const { state } = ctx.core;
  if (!state.accounts.has(id)) return json(200, { errors: [notFoundProblem('id', id, 'user')], meta: { result_count: 0 } });
  return listTweets(ctx, {
    min: 5,
    max: 100,
    def: 100,
    // Newest tweet first (X orders by when the like happened; id order keeps the shared paging exact).
    candidates: (c) => (c.core.state.liked.get(id) ?? [])
      .map((tid) => c.core.state.tweets.get(tid))
      .filter((t): t is Tweet => !!t)
      .sort((a, b) => cmpId(b.id, a.id)),
  });
}
