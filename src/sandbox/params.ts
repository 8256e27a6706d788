/**
 * Query parameters as X checks them, and the paging shape shared by every list endpoint: unknown and
 * repeated parameters are refused, ids are 1–19 digits, max_results within the endpoint's range,
 * `data` absent when a page is empty, `meta.result_count` always there.
 */
import type { Ctx } from './core.js';
import { invalidParam, invalidRequest, isReply, json, type Reply } from './http.js';
import { parseFields, renderTweets, renderUsers, type Fields } from './render.js';
import { cmpId, type Account, type Tweet } from './state.js';

export const ID_RE = /^[0-9]{1,19}$/;

/**
 * Refuses parameters the endpoint does not know and parameters given twice, in X's words.
 * `allowed` lists the query parameters; the path's own parameters are named in the message too, as X does.
 */
export function checkQuery(ctx: Ctx, allowed: readonly string[]): Reply | undefined {
  const seen = new Map<string, string[]>();
  for (const [k, v] of ctx.query) {
    const list = seen.get(k);
    if (list) list.push(v);
    else seen.set(k, [v]);
  }
  for (const [k, values] of seen) {
    if (!allowed.includes(k)) {
      const names = [...Object.keys(ctx.params), ...allowed].join(',');
      return invalidRequest({ parameters: { [k]: values }, message: `The query parameter [${k}] is not one of [${names}]` });
    }
    if (values.length > 1) {
      return invalidRequest({ parameters: { [k]: values }, message: `Duplicate parameters are not allowed: the \`${k}\` query parameter` });
    }
  }
  return undefined;
}

export function badId(name: string, v: string): Reply {
  return invalidParam(name, v, `The \`${name}\` query parameter value [${v}] does not match ^[0-9]{1,19}$`);
}

/** A path id, checked: the id or X's 400. */
export function pathId(ctx: Ctx, name = 'id'): string | Reply {
  const v = ctx.params[name]!;
  return ID_RE.test(v) ? v : badId(name, v);
}

export function idParam(q: URLSearchParams, name: string): string | undefined | Reply {
  const v = q.get(name);
  if (v === null) return undefined;
  if (!ID_RE.test(v)) return badId(name, v);
  return v;
}

export function maxResults(q: URLSearchParams, min: number, max: number, def: number): number | Reply {
  const v = q.get('max_results');
  if (v === null) return def;
  const n = /^\d{1,6}$/.test(v) ? Number(v) : NaN;
  if (!(n >= min && n <= max)) {
    return invalidParam('max_results', v, `The \`max_results\` query parameter value [${v}] is not between ${min} and ${max}`);
  }
  return n;
}

/** Opaque paging token: the id of the last item returned, in hex. */
export const encodeToken = (id: string) => BigInt(id).toString(16);
export function decodeToken(tok: string): string | undefined {
  return /^[0-9a-f]{1,16}$/.test(tok) ? BigInt('0x' + tok).toString() : undefined;
}

export interface ListOpts {
  min: number;
  max: number;
  def: number;
  /** newest-first candidates, before since/until/paging filters */
  candidates: (ctx: Ctx) => Iterable<Tweet>;
}

/** The shared shape of timelines and search: filters, paging, meta, data absent when empty. */
export function listTweets(ctx: Ctx, o: ListOpts): Reply {
  const q = ctx.query;
  const fields = parseFields(q);
  if (isReply(fields)) return fields;
  const max = maxResults(q, o.min, o.max, o.def);
  if (isReply(max)) return max;
  const since = idParam(q, 'since_id');
  if (isReply(since)) return since;
  const until = idParam(q, 'until_id');
  if (isReply(until)) return until;
  const tokParam = q.has('pagination_token') ? 'pagination_token' : 'next_token';
  const tok = q.get(tokParam);
  let below = until;
  if (tok !== null) {
    const id = decodeToken(tok);
    if (!id) return invalidParam(tokParam, tok, `The \`${tokParam}\` query parameter value [${tok}] is not valid`);
    if (!below || cmpId(id, below) < 0) below = id;
  }
  const page: Tweet[] = [];
  let more = false;
  for (const t of o.candidates(ctx)) {
    if (t.deleted) continue;
    if (below && cmpId(t.id, below) >= 0) continue;
    if (since && cmpId(t.id, since) <= 0) break;
    if (page.length === max) {
      more = true;
      break;
    }
    page.push(t);
  }
  const meta: Record<string, unknown> = { result_count: page.length };
  const body: Record<string, unknown> = {};
  if (page.length) {
    const { data, includes } = renderTweets(ctx.core.state, page, fields, ctx.core.state.now());
    body.data = data;
    if (includes) body.includes = includes;
    meta.newest_id = page[0]!.id;
    meta.oldest_id = page[page.length - 1]!.id;
    if (more) meta.next_token = encodeToken(page[page.length - 1]!.id);
  }
  body.meta = meta;
  return json(200, body);
}

/**
 * A page of users (retweeted_by, liking_users): newest first, X's 1–100 max_results, a position
 * token. `users` is the whole list, oldest first.
 */
export function listUsers(ctx: Ctx, users: Account[]): Reply {
  const fields = parseFields(ctx.query, 'user');
  if (isReply(fields)) return fields;
  const max = maxResults(ctx.query, 1, 100, 100);
  if (isReply(max)) return max;
  const tok = ctx.query.get('pagination_token');
  let start = 0;
  if (tok !== null) {
    start = /^[0-9]{1,6}$/.test(tok) ? Number(tok) : NaN;
    if (!Number.isInteger(start)) return invalidParam('pagination_token', tok, `The \`pagination_token\` query parameter value [${tok}] is not valid`);
  }
  const newestFirst = [...users].reverse();
  const page = newestFirst.slice(start, start + max);
  const body: Record<string, unknown> = {};
  const meta: Record<string, unknown> = { result_count: page.length };
  if (page.length) {
    const { data, includes } = renderUsers(ctx.core.state, page, fields, ctx.core.state.now());
    body.data = data;
    if (includes) body.includes = includes;
  }
  if (start + max < newestFirst.length) meta.next_token = String(start + max);
  if (start > 0) meta.previous_token = String(Math.max(0, start - max));
  body.meta = meta;
  return json(200, body);
}

export function* newestFirst(list: Tweet[] | undefined): Iterable<Tweet> {
  if (!list) return;
  for (let i = list.length - 1; i >= 0; i--) yield list[i]!;
}

export type { Fields };
