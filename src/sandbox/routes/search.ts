/** Recent search and recent counts: the last seven days on the sandbox clock, X's query language. */
import type { Ctx } from '../core.js';
import { invalidParam, isReply, json, type Reply } from '../http.js';
import { idParam, listTweets } from '../params.js';
import { QUERY_MAX_LENGTH } from '../../xquery/index.js';
import { compile, type Compiled } from '../query.js';
import { TWEET_FIELD_PARAMS } from '../render.js';
import { cmpId, type Tweet } from '../state.js';
import type { RouteDef } from './route.js';

export const searchRoutes: RouteDef[] = [
  {
    method: 'GET',
    template: '/2/tweets/search/recent',
    auth: 'user|app',
    query: ['query', 'start_time', 'end_time', 'since_id', 'until_id', 'max_results', 'next_token', 'pagination_token', 'sort_order', ...TWEET_FIELD_PARAMS],
    handler: searchRecent,
  },
  {
    method: 'GET',
    template: '/2/tweets/counts/recent',
    auth: 'user|app',
    query: ['query', 'start_time', 'end_time', 'since_id', 'until_id', 'next_token', 'pagination_token', 'granularity', 'search_count.fields'],
    handler: countsRecent,
  },
];

const WEEK_MS = 7 * 86_400_000;

/** The query, parsed with the tier's length limit (xquery's QUERY_MAX_LENGTH, from X's docs). */
function parseQueryParam(ctx: Ctx): Compiled | Reply {
  const query = ctx.query.get('query');
  if (!query || !query.trim()) return invalidParam('query', query ?? '', 'The `query` query parameter can not be empty');
  return compile(ctx.core.state, query, { maxLength: QUERY_MAX_LENGTH[ctx.core.limiter.tier] });
}

/** start_time / end_time within the last seven days, as X requires; defaults: a week ago, now. */
function window(ctx: Ctx): { from: number; to: number } | Reply {
  const now = ctx.core.state.now();
  const out = { from: now - WEEK_MS, to: now };
  for (const name of ['start_time', 'end_time'] as const) {
    const v = ctx.query.get(name);
    if (v === null) continue;
    const ms = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?Z$/.test(v) ? Date.parse(v) : NaN;
    if (Number.isNaN(ms)) return invalidParam(name, v, `Invalid '${name}':'${v}'. '${name}' must be a valid ISO 8601 date-time`);
    if (ms < now - WEEK_MS) return invalidParam(name, v, `Invalid '${name}':'${v}'. '${name}' must be on or after ${new Date(now - WEEK_MS).toISOString()}`);
    if (name === 'start_time') out.from = ms;
    else out.to = Math.min(ms, now);
  }
  if (out.from >= out.to) return invalidParam('start_time', String(ctx.query.get('start_time')), "Invalid 'start_time': 'start_time' must be before 'end_time'");
  return out;
}

/** Live tweets in the window, newest first, matching the query. */
function* matching(ctx: Ctx, q: Compiled, from: number, to: number): Iterable<Tweet> {
  const tl = ctx.core.state.timeline;
  for (let i = tl.length - 1; i >= 0; i--) {
    const t = tl[i]!;
    if (t.createdAt < from) break;
    if (t.deleted || t.createdAt >= to) continue;
    if (q.test(t)) yield t;
  }
}

function searchRecent(ctx: Ctx): Reply {
  const q = parseQueryParam(ctx);
  if (isReply(q)) return q;
  const w = window(ctx);
  if (isReply(w)) return w;
  const order = ctx.query.get('sort_order');
  if (order !== null && order !== 'recency' && order !== 'relevancy') {
    return invalidParam('sort_order', order, `The \`sort_order\` query parameter value [${order}] is not one of [recency,relevancy]`);
  }
  return listTweets(ctx, { min: 10, max: 100, def: 10, candidates: (c) => matching(c, q, w.from, w.to) });
}

const GRANULARITY: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

function countsRecent(ctx: Ctx): Reply {
  const q = parseQueryParam(ctx);
  if (isReply(q)) return q;
  const w = window(ctx);
  if (isReply(w)) return w;
  const g = ctx.query.get('granularity') ?? 'hour';
  const step = GRANULARITY[g];
  if (!step) return invalidParam('granularity', g, `The \`granularity\` query parameter value [${g}] is not one of [minute,hour,day]`);
  const fieldsRaw = ctx.query.get('search_count.fields');
  const fields = new Set(fieldsRaw ? fieldsRaw.split(',') : ['start', 'end', 'tweet_count']);
  for (const f of fields) {
    if (!['start', 'end', 'tweet_count'].includes(f)) {
      return invalidParam('search_count.fields', f, `The \`search_count.fields\` query parameter value [${f}] is not one of [end,start,tweet_count]`);
    }
  }
  const since = idParam(ctx.query, 'since_id');
  if (isReply(since)) return since;
  const until = idParam(ctx.query, 'until_id');
  if (isReply(until)) return until;
  // Buckets on granularity boundaries; the first starts at start_time, the last ends at end_time.
  const first = Math.floor(w.from / step) * step;
  const counts = new Map<number, number>();
  let total = 0;
  for (const t of matching(ctx, q, w.from, w.to)) {
    if (since && cmpId(t.id, since) <= 0) continue;
    if (until && cmpId(t.id, until) >= 0) continue;
    const b = Math.floor(t.createdAt / step) * step;
    counts.set(b, (counts.get(b) ?? 0) + 1);
    total++;
  }
  const data: Array<Record<string, unknown>> = [];
  for (let b = first; b < w.to; b += step) {
    const start = Math.max(b, w.from);
    const end = Math.min(b + step, w.to);
    const row: Record<string, unknown> = {};
    if (fields.has('end')) row.end = new Date(end).toISOString();
    if (fields.has('start')) row.start = new Date(start).toISOString();
    row.tweet_count = counts.get(b) ?? 0;
    data.push(row);
  }
  return json(200, { data, meta: { total_tweet_count: total } });
}
