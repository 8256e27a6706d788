/** Timelines: the home timeline, a user's posts, a user's mentions. */
import type { Ctx } from '../core.js';
import { forbidden, isReply, json, notFoundProblem, type Reply } from '../http.js';
import { listTweets, newestFirst, pathId } from '../params.js';
import { TWEET_FIELD_PARAMS } from '../render.js';
import { cmpId, type Tweet } from '../state.js';
import type { RouteDef } from './route.js';

const PAGING = ['since_id', 'until_id', 'max_results', 'pagination_token', 'start_time', 'end_time'];

export const timelineRoutes: RouteDef[] = [
  {
    method: 'GET',
    template: '/2/users/:id/timelines/reverse_chronological',
    auth: 'user',
    query: [...PAGING, 'exclude', ...TWEET_FIELD_PARAMS],
    handler: homeTimeline,
  },
  { method: 'GET', template: '/2/users/:id/tweets', auth: 'user|app', query: [...PAGING, 'exclude', ...TWEET_FIELD_PARAMS], handler: userTweets },
  { method: 'GET', template: '/2/users/:id/mentions', auth: 'user|app', query: [...PAGING, ...TWEET_FIELD_PARAMS], handler: mentions },
];

/** exclude=retweets,replies as X spells it. */
function excludes(ctx: Ctx): { retweets: boolean; replies: boolean } {
  const set = new Set((ctx.query.get('exclude') ?? '').split(','));
  return { retweets: set.has('retweets'), replies: set.has('replies') };
}

const keep = (ex: { retweets: boolean; replies: boolean }, t: Tweet) => !(ex.retweets && t.retweetOf) && !(ex.replies && t.replyTo);

function homeTimeline(ctx: Ctx): Reply {
  const id = pathId(ctx);
  if (isReply(id)) return id;
  if (id !== ctx.user!.id) return forbidden('You can only request the home timeline of the authenticated user.');
  const ex = excludes(ctx);
  return listTweets(ctx, {
    min: 1,
    max: 100,
    def: 100,
    candidates: (c) => {
      const { state } = c.core;
      const authors = [c.user!.id, ...(state.follows.get(c.user!.id) ?? [])];
      const all: Tweet[] = [];
      for (const a of authors) for (const t of state.byAuthor.get(a) ?? []) if (!t.deleted && keep(ex, t)) all.push(t);
      return all.sort((x, y) => cmpId(y.id, x.id));
    },
  });
}

/** The user behind `:id`, or the 200-with-errors X gives for an unknown one. */
function owner(ctx: Ctx): string | Reply {
  const id = pathId(ctx);
  if (isReply(id)) return id;
  if (!ctx.core.state.accounts.has(id)) return json(200, { errors: [notFoundProblem('id', id, 'user')], meta: { result_count: 0 } });
  return id;
}

function userTweets(ctx: Ctx): Reply {
  const id = owner(ctx);
  if (isReply(id)) return id;
  const ex = excludes(ctx);
  return listTweets(ctx, {
    min: 5,
    max: 100,
    def: 10,
    candidates: function* (c) {
      for (const t of newestFirst(c.core.state.byAuthor.get(id))) if (keep(ex, t)) yield t;
    },
  });
}

function mentions(ctx: Ctx): Reply {
  const id = owner(ctx);
  if (isReply(id)) return id;
  const name = ctx.core.state.accounts.get(id)!.username.toLowerCase();
  return listTweets(ctx, {
    min: 5,
    max: 100,
    def: 10,
    candidates: (c) => newestFirst(c.core.state.mentionsOf.get(name)),
  });
}
