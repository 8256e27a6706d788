/** User lookup: the authenticated user, by username, by id, several at once. */
import type { Ctx } from '../core.js';
import { invalidParam, isReply, json, notFoundProblem, type Reply } from '../http.js';
import { ID_RE, badId, pathId } from '../params.js';
import { parseFields, renderUsers, USER_FIELD_PARAMS } from '../render.js';
import { USERNAME_RE, type Account } from '../state.js';
import type { RouteDef } from './route.js';

export const userRoutes: RouteDef[] = [
  { method: 'GET', template: '/2/users/me', auth: 'user', query: USER_FIELD_PARAMS, handler: (ctx) => usersBody(ctx, [ctx.user!], [], true) },
  { method: 'GET', template: '/2/users', auth: 'user|app', query: ['ids', ...USER_FIELD_PARAMS], handler: byIds },
  { method: 'GET', template: '/2/users/by', auth: 'user|app', query: ['usernames', ...USER_FIELD_PARAMS], handler: byUsernames },
  { method: 'GET', template: '/2/users/by/username/:username', auth: 'user|app', query: USER_FIELD_PARAMS, handler: byUsername },
  { method: 'GET', template: '/2/users/:id', auth: 'user|app', query: USER_FIELD_PARAMS, handler: byId },
];

function badName(param: string, v: string): Reply {
  return invalidParam(param, v, `The \`${param}\` query parameter value [${v}] does not match ^[A-Za-z0-9_]{1,15}$`);
}

/** `data` (one user or a list), includes, and not-found errors, as X shapes a lookup. */
function usersBody(ctx: Ctx, found: Account[], errors: unknown[], single: boolean): Reply {
  const fields = parseFields(ctx.query, 'user');
  if (isReply(fields)) return fields;
  const out: Record<string, unknown> = {};
  if (found.length) {
    const { data, includes } = renderUsers(ctx.core.state, found, fields, ctx.core.state.now());
    out.data = single ? data[0] : data;
    if (includes) out.includes = includes;
  }
  if (errors.length) out.errors = errors;
  return json(200, out);
}

function byUsername(ctx: Ctx): Reply {
  const name = ctx.params.username!;
  if (!USERNAME_RE.test(name)) return badName('username', name);
  const acc = ctx.core.state.account(name);
  // A missing user is 200 with an errors array on X, not 404.
  return usersBody(ctx, acc ? [acc] : [], acc ? [] : [notFoundProblem('username', name, 'user')], true);
}

function byId(ctx: Ctx): Reply {
  const id = pathId(ctx);
  if (isReply(id)) return id;
  const acc = ctx.core.state.accounts.get(id);
  return usersBody(ctx, acc ? [acc] : [], acc ? [] : [notFoundProblem('id', id, 'user')], true);
}

/** A comma-separated list parameter of 1–100 values, each checked by `valid`. */
function list(ctx: Ctx, param: string, valid: (v: string) => Reply | undefined): string[] | Reply {
  const raw = ctx.query.get(param);
  if (!raw) return invalidParam(param, raw ?? '', `The \`${param}\` query parameter can not be empty`);
  const values = raw.split(',');
  if (values.length > 100) {
    return invalidParam(param, raw, `The number of values in the \`${param}\` query parameter list [${values.length}] is not between 1 and 100`);
  }
  for (const v of values) {
    const bad = valid(v);
    if (bad) return bad;
  }
  return values;
}

function byUsernames(ctx: Ctx): Reply {
  const names = list(ctx, 'usernames', (v) => (USERNAME_RE.test(v) ? undefined : badName('usernames', v)));
  if (isReply(names)) return names;
  const found: Account[] = [];
  const errors: unknown[] = [];
  for (const n of names) {
    const acc = ctx.core.state.account(n);
    if (acc) found.push(acc);
    else errors.push(notFoundProblem('usernames', n, 'user'));
  }
  return usersBody(ctx, found, errors, false);
}

function byIds(ctx: Ctx): Reply {
  const ids = list(ctx, 'ids', (v) => (ID_RE.test(v) ? undefined : badId('ids', v)));
  if (isReply(ids)) return ids;
  const found: Account[] = [];
  const errors: unknown[] = [];
  for (const id of ids) {
    const acc = ctx.core.state.accounts.get(id);
    if (acc) found.push(acc);
    else errors.push(notFoundProblem('ids', id, 'user'));
  }
  return usersBody(ctx, found, errors, false);
}
