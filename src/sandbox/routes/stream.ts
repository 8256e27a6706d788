/**
 * The filtered stream and its rules. Rules carry ids and tags and are checked by the query parser
 * (stream flavour, the tier's length); the stream is one long chunked response per app delivering
 * each new matching tweet as a JSON line with `matching_rules`, and `\r\n` when idle.
 */
import type { Core, Ctx, StreamConn } from '../core.js';
import { invalidParam, invalidRequest, isReply, json, tooManyConnections, type Reply } from '../http.js';
import { STREAM_RULES } from '../limits.js';
import { ID_RE, maxResults } from '../params.js';
import { matchingRules, type Query } from '../../xquery/index.js';
import { compile, matchable, type Compiled } from '../query.js';
import { parseFields, renderTweets, TWEET_FIELD_PARAMS, type Fields } from '../render.js';
import type { StreamRule, Tweet } from '../state.js';
import { jsonBody } from './tweets.js';
import type { RouteDef } from './route.js';

export const streamRoutes: RouteDef[] = [
  { method: 'GET', template: '/2/tweets/search/stream/rules', auth: 'app', query: ['ids', 'max_results', 'pagination_token'], handler: getRules },
  { method: 'POST', template: '/2/tweets/search/stream/rules', auth: 'app', query: ['dry_run', 'delete_all'], handler: postRules },
  {
    method: 'GET',
    template: '/2/tweets/search/stream',
    auth: 'app',
    query: ['backfill_minutes', 'start_time', 'end_time', ...TWEET_FIELD_PARAMS],
    handler: openStream,
  },
];

const sent = (core: Core) => new Date(core.state.now()).toISOString();

function getRules(ctx: Ctx): Reply {
  const { state } = ctx.core;
  const max = maxResults(ctx.query, 1, 1000, 1000);
  if (isReply(max)) return max;
  let rules = state.rules;
  const ids = ctx.query.get('ids');
  if (ids !== null) {
    const wanted = ids.split(',');
    for (const id of wanted) if (!ID_RE.test(id)) return invalidParam('ids', id, `The \`ids\` query parameter value [${id}] does not match ^[0-9]{1,19}$`);
    rules = rules.filter((r) => wanted.includes(r.id));
  }
  const tok = ctx.query.get('pagination_token');
  const start = tok === null ? 0 : /^\d{1,6}$/.test(tok) ? Number(tok) : -1;
  if (start < 0) return invalidParam('pagination_token', tok!, `The \`pagination_token\` query parameter value [${tok}] is not valid`);
  const page = rules.slice(start, start + max);
  const meta: Record<string, unknown> = { sent: sent(ctx.core), result_count: page.length };
  if (start + max < rules.length) meta.next_token = String(start + max);
  return json(200, page.length ? { data: page, meta } : { meta });
}

function ruleProblem(value: string, detail: string) {
  return { value, details: [detail], title: 'UnprocessableEntity', type: 'https://api.twitter.com/2/problems/invalid-rules' };
}

/** Compiled rules, cached by rule object (rules are replaced, never edited). */
const compiled = new WeakMap<StreamRule, Compiled | undefined>();
function compiledRule(core: Core, r: StreamRule): Compiled | undefined {
  if (!compiled.has(r)) {
    const c = compile(core.state, r.value, { maxLength: Infinity, param: 'value', flavor: 'stream' });
    compiled.set(r, isReply(c) ? undefined : c);
  }
  return compiled.get(r);
}

function postRules(ctx: Ctx): Reply {
  const { state } = ctx.core;
  const limits = STREAM_RULES[ctx.core.limiter.tier]!;
  const dry = ctx.query.get('dry_run');
  const all = ctx.query.get('delete_all');
  for (const [name, v] of [['dry_run', dry], ['delete_all', all]] as const) {
    if (v !== null && v !== 'true' && v !== 'false') return invalidParam(name, v, `The \`${name}\` query parameter value [${v}] is not one of [true,false]`);
  }
  const dryRun = dry === 'true';
  if (all === 'true') {
    const n = state.rules.length;
    if (!dryRun) state.rules = [];
    ctx.core.touch();
    return json(200, { meta: { sent: sent(ctx.core), summary: { deleted: n, not_deleted: 0 } } });
  }
  const body = jsonBody(ctx);
  if (isReply(body)) return body;
  const keys = Object.keys(body);
  if (keys.length !== 1 || (keys[0] !== 'add' && keys[0] !== 'delete')) {
    return invalidRequest({ message: 'Request body must have exactly one of `add` or `delete`' });
  }
  if (body.add !== undefined) return addRules(ctx, body.add, dryRun, limits);
  return deleteRules(ctx, body.delete, dryRun);
}

function addRules(ctx: Ctx, add: unknown, dryRun: boolean, limits: { count: number; length: number }): Reply {
  const { state } = ctx.core;
  if (!Array.isArray(add) || add.length === 0) return invalidRequest({ message: '$.add: expected a non-empty array of rules' });
  const errors: unknown[] = [];
  const fresh: StreamRule[] = [];
  let invalid = 0;
  for (const [i, r] of add.entries()) {
    if (typeof r !== 'object' || r === null || typeof (r as StreamRule).value !== 'string') {
      return invalidRequest({ message: `$.add[${i}].value: is missing but it is required` });
    }
    const { value, tag } = r as { value: string; tag?: unknown };
    const extra = Object.keys(r).filter((k) => k !== 'value' && k !== 'tag');
    if (extra.length) return invalidRequest({ message: `$.add[${i}].${extra[0]}: is not defined in the schema and the schema does not allow additional properties` });
    if (tag !== undefined && typeof tag !== 'string') return invalidRequest({ message: `$.add[${i}].tag: string expected` });
    const existing = state.rules.find((x) => x.value === value) ?? fresh.find((x) => x.value === value);
    if (existing) {
      errors.push({ value, id: existing.id, title: 'DuplicateRule', type: 'https://api.twitter.com/2/problems/duplicate-rules' });
      continue;
    }
    if (value.length > limits.length) {
      invalid++;
      errors.push(ruleProblem(value, `Rule must be no longer than ${limits.length} characters.`));
      continue;
    }
    const c = compile(state, value, { maxLength: limits.length, param: 'value', flavor: 'stream' });
    if (isReply(c)) {
      invalid++;
      const msg = ((c.body as { errors: Array<{ message: string }> }).errors[0]!.message).replace(/^There were errors processing your request: /, '');
      errors.push(ruleProblem(value, msg));
      continue;
    }
    fresh.push({ id: state.nextId(state.now()), value, ...(tag ? { tag } : {}) });
  }
  const meta = (created: number) => ({
    sent: sent(ctx.core),
    summary: { created, not_created: add.length - created, valid: add.length - invalid, invalid },
  });
  // X adds nothing when any rule is invalid.
  if (invalid) return json(400, { meta: meta(0), errors });
  if (state.rules.length + fresh.length > limits.count) {
    return json(403, {
      title: 'RulesCapExceeded',
      detail: `Rule creation would exceed the maximum of ${limits.count} rules for your access level.`,
      type: 'https://api.twitter.com/2/problems/rule-cap',
    });
  }
  if (!dryRun) {
    state.rules = [...state.rules, ...fresh];
    ctx.core.touch();
  }
  const out: Record<string, unknown> = {};
  if (fresh.length) out.data = fresh;
  out.meta = meta(fresh.length);
  if (errors.length) out.errors = errors;
  return json(200, out);
}

function deleteRules(ctx: Ctx, del: unknown, dryRun: boolean): Reply {
  const { state } = ctx.core;
  const d = del as { ids?: unknown; values?: unknown } | null;
  const ids = d && Array.isArray(d.ids) ? d.ids : [];
  const values = d && Array.isArray(d.values) ? d.values : [];
  if (!d || typeof d !== 'object' || (!ids.length && !values.length)) {
    return invalidRequest({ message: '$.delete: expected `ids` or `values`' });
  }
  const gone = new Set<StreamRule>();
  const errors: unknown[] = [];
  for (const id of ids) {
    const r = state.rules.find((x) => x.id === id);
    if (r) gone.add(r);
    else errors.push({ parameters: { ids: [String(id)] }, message: 'Rule does not exist', title: 'Invalid Request', type: 'https://api.twitter.com/2/problems/invalid-request' });
  }
  for (const v of values) {
    const r = state.rules.find((x) => x.value === v);
    if (r) gone.add(r);
    else errors.push({ parameters: { values: [String(v)] }, message: 'Rule does not exist', title: 'Invalid Request', type: 'https://api.twitter.com/2/problems/invalid-request' });
  }
  if (!dryRun && gone.size) {
    state.rules = state.rules.filter((r) => !gone.has(r));
    ctx.core.touch();
  }
  const out: Record<string, unknown> = {
    meta: { sent: sent(ctx.core), summary: { deleted: gone.size, not_deleted: ids.length + values.length - gone.size } },
  };
  if (errors.length) out.errors = errors;
  return json(200, out);
}

/** The tweet's stream message, or undefined when no rule matches. */
export function streamMessage(core: Core, t: Tweet, fields: Fields): string | undefined {
  const rules: Array<{ rule: StreamRule; query: Query }> = [];
  for (const rule of core.state.rules) {
    const c = compiledRule(core, rule);
    if (c) rules.push({ rule, query: c.query });
  }
  // One look at the tweet for the whole rule set.
  const matching = matchingRules(rules, matchable(core.state, t)).map(({ rule: r }) => (r.tag ? { id: r.id, tag: r.tag } : { id: r.id }));
  if (!matching.length) return undefined;
  const { data, includes } = renderTweets(core.state, [t], fields, core.state.now());
  return JSON.stringify({ data: data[0], ...(includes ? { includes } : {}), matching_rules: matching }) + '\r\n';
}

/** What X sends before it drops a stream for its own reasons (here: on admin request). */
const DISCONNECT = JSON.stringify({
  errors: [{
    title: 'operational-disconnect',
    disconnect_type: 'OperationalDisconnect',
    detail: 'This stream has been disconnected for operational reasons.',
    type: 'https://api.twitter.com/2/problems/operational-disconnect',
  }],
}) + '\r\n';

function openStream(ctx: Ctx): Reply | undefined {
  const { core, res } = ctx;
  const fields = parseFields(ctx.query);
  if (isReply(fields)) return fields;
  const bf = ctx.query.get('backfill_minutes');
  if (bf !== null && !/^[0-5]$/.test(bf)) return invalidParam('backfill_minutes', bf, `The \`backfill_minutes\` query parameter value [${bf}] is not between 0 and 5`);
  if (core.streams.size >= 1) return tooManyConnections();
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.flushHeaders();
  // The state object is replaced by /sandbox/reset, which closes every stream first.
  const state = core.state;
  const onTweet = (t: Tweet) => {
    const msg = streamMessage(core, t, fields);
    if (msg) res.write(msg);
  };
  const timer = setInterval(() => res.write('\r\n'), core.keepAliveMs);
  timer.unref();
  let open = true;
  const conn: StreamConn = {
    res,
    close() {
      if (!open) return;
      res.end(DISCONNECT);
      cleanup();
    },
  };
  const cleanup = () => {
    open = false;
    clearInterval(timer);
    state.listeners.delete(onTweet);
    core.streams.delete(conn);
  };
  state.listeners.add(onTweet);
  core.streams.add(conn);
  res.on('close', cleanup);
  return undefined;
}
