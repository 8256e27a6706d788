/**
 * The X API v2 endpoints the farm uses and the OAuth 1.0a PIN flow. Each route is a template;
 * "METHOD /template" is the key for request counters, faults and rate limits.
 */
import { createRequire } from 'node:module';
import { randomBytes, randomInt } from 'node:crypto';
import type { Ctx } from './core.js';
import {
  BadJson, duplicate, escapeHtml, forbidden, formPairs, generic, invalidParam, invalidRequest, json,
  notFoundProblem, parseJson, type Reply,
} from './http.js';
import { baseString, checkHeader, hmacSha1, parseAuthHeader, safeEqual, signedParams, signingKey } from './oauth.js';
import { parseFields, renderTweets, renderUser, type Fields } from './render.js';
import { cmpId, normalizeUsername, type Account, type Tweet } from './state.js';

// twitter-text is CommonJS without types; only parseTweet is needed.
const twitterText = createRequire(import.meta.url)('twitter-text') as {
  parseTweet(text: string): { weightedLength: number };
};

/** How a route authenticates: a user's access token, the app alone, a request token, or none. */
export type AuthKind = 'user' | 'consumer' | 'request-token' | 'none';

export interface Route {
  method: string;
  template: string;
  key: string;
  segs: string[];
  auth: AuthKind;
  handler: (ctx: Ctx) => Reply;
}

const defs: Array<[string, string, AuthKind, (ctx: Ctx) => Reply]> = [
  ['GET', '/2/users/me', 'user', usersMe],
  ['GET', '/2/users/:id/timelines/reverse_chronological', 'user', homeTimeline],
  ['GET', '/2/users/:id/tweets', 'user', userTweets],
  ['POST', '/2/tweets', 'user', postTweet],
  ['GET', '/2/tweets', 'user', lookupMany],
  ['GET', '/2/tweets/search/recent', 'user', searchRecent],
  ['GET', '/2/tweets/:id', 'user', lookupOne],
  ['DELETE', '/2/tweets/:id', 'user', deleteTweet],
  ['POST', '/2/users/:id/retweets', 'user', retweet],
  ['DELETE', '/2/users/:id/retweets/:tweet_id', 'user', unretweet],
  ['POST', '/oauth/request_token', 'consumer', requestToken],
  ['GET', '/oauth/authorize', 'none', authorizePage],
  ['GET', '/oauth/authenticate', 'none', authorizePage],
  ['POST', '/oauth/access_token', 'request-token', accessToken],
];

export const ROUTES: Route[] = defs.map(([method, template, auth, handler]) => ({
  method,
  template,
  key: `${method} ${template}`,
  segs: template.split('/'),
  auth,
  handler,
}));

export function matchRoute(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
  const segs = path.split('/');
  outer: for (const route of ROUTES) {
    if (route.method !== method || route.segs.length !== segs.length) continue;
    let params: Record<string, string> | undefined;
    for (let i = 0; i < segs.length; i++) {
      const t = route.segs[i]!;
      if (t.charCodeAt(0) === 58 /* : */) {
        if (!segs[i]) continue outer;
        (params ??= {})[t.slice(1)] = segs[i]!;
      } else if (t !== segs[i]) continue outer;
    }
    return { route, params: params ?? {} };
  }
  return undefined;
}

// ---- authentication ---------------------------------------------------------------------------

/**
 * Verifies the OAuth 1.0a signature. `secretFor` maps the oauth_token to its secret (undefined:
 * unknown token); for 'consumer' routes the token must be absent. Returns the token on success.
 */
export function verify(ctx: Ctx, auth: AuthKind): { ok: true; token?: string } | { ok: false } {
  const h = parseAuthHeader(ctx.authHeader);
  if (!h) return { ok: false };
  const { state } = ctx.core;
  const realNow = Date.now();
  if (checkHeader(h, state.app.key, realNow)) return { ok: false };
  const token = h.get('oauth_token');
  let key: string;
  if (auth === 'user') {
    const entry = token ? state.tokens.get(token) : undefined;
    if (!entry) return { ok: false };
    key = entry.key;
    ctx.user = entry.account;
  } else if (auth === 'request-token') {
    const rt = token ? state.requestTokens.get(token) : undefined;
    if (!rt) return { ok: false };
    key = signingKey(state.app.secret, rt.secret);
  } else {
    key = signingKey(state.app.secret);
  }
  const form = ctx.contentType.startsWith('application/x-www-form-urlencoded') ? formPairs(ctx.body) : [];
  const base = baseString(ctx.method, `http://${ctx.host}${ctx.path}`, signedParams({
    method: ctx.method,
    baseUrl: '',
    query: ctx.query.size ? [...ctx.query] : [],
    form,
    header: h,
  }));
  if (!safeEqual(hmacSha1(base, key), h.get('oauth_signature')!)) return { ok: false };
  if (ctx.core.nonces.seen(`${token ?? ''}:${h.get('oauth_nonce')}:${h.get('oauth_timestamp')}`, realNow)) return { ok: false };
  return { ok: true, token };
}

// ---- parameter helpers ------------------------------------------------------------------------

const ID_RE = /^[0-9]{1,19}$/;

function idParam(q: URLSearchParams, name: string): string | undefined | Reply {
  const v = q.get(name);
  if (v === null) return undefined;
  if (!ID_RE.test(v)) return invalidParam(name, v, `The \`${name}\` query parameter value [${v}] does not match ^[0-9]{1,19}$`);
  return v;
}

function maxResults(q: URLSearchParams, min: number, max: number, def: number): number | Reply {
  const v = q.get('max_results');
  if (v === null) return def;
  const n = /^\d{1,6}$/.test(v) ? Number(v) : NaN;
  if (!(n >= min && n <= max)) {
    return invalidParam('max_results', v, `The \`max_results\` query parameter value [${v}] is not between ${min} and ${max}`);
  }
  return n;
}

const isReply = (v: unknown): v is Reply => typeof v === 'object' && v !== null && 'status' in v;

/** Opaque paging token: the id of the last tweet returned, in hex. */
const encodeToken = (id: string) => BigInt(id).toString(16);
function decodeToken(tok: string): string | undefined {
  return /^[0-9a-f]{1,16}$/.test(tok) ? BigInt('0x' + tok).toString() : undefined;
}

interface ListOpts {
  min: number;
  max: number;
  def: number;
  /** newest-first candidates, before since/until/paging filters */
  candidates: (ctx: Ctx) => Iterable<Tweet>;
}

/** The shared shape of timelines and search: filters, paging, meta, data absent when empty. */
function listTweets(ctx: Ctx, o: ListOpts): Reply {
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
  const now = ctx.core.state.now();
  const meta: Record<string, unknown> = { result_count: page.length };
  const body: Record<string, unknown> = {};
  if (page.length) {
    const { data, includes } = renderTweets(ctx.core.state, page, fields, now);
    body.data = data;
    if (includes) body.includes = includes;
    meta.newest_id = page[0]!.id;
    meta.oldest_id = page[page.length - 1]!.id;
    if (more) meta.next_token = encodeToken(page[page.length - 1]!.id);
  }
  body.meta = meta;
  return json(200, body);
}

function* newestFirst(list: Tweet[] | undefined): Iterable<Tweet> {
  if (!list) return;
  for (let i = list.length - 1; i >= 0; i--) yield list[i]!;
}

// ---- v2 handlers ------------------------------------------------------------------------------

function usersMe(ctx: Ctx): Reply {
  const fields = parseFields(ctx.query);
  if (isReply(fields)) return fields;
  return json(200, { data: renderUser(ctx.core.state, ctx.user!, fields.user) });
}

function homeTimeline(ctx: Ctx): Reply {
  if (ctx.params.id !== ctx.user!.id) return forbidden('You can only request the home timeline of the authenticated user.');
  return listTweets(ctx, {
    min: 1,
    max: 100,
    def: 100,
    candidates: (c) => {
      const { state } = c.core;
      const authors = [c.user!.id, ...(state.follows.get(c.user!.id) ?? [])];
      const all: Tweet[] = [];
      for (const a of authors) for (const t of state.byAuthor.get(a) ?? []) if (!t.deleted) all.push(t);
      return all.sort((x, y) => cmpId(y.id, x.id));
    },
  });
}

function userTweets(ctx: Ctx): Reply {
  const { state } = ctx.core;
  const id = ctx.params.id!;
  if (!ID_RE.test(id)) return invalidParam('id', id, `The \`id\` query parameter value [${id}] does not match ^[0-9]{1,19}$`);
  if (!state.accounts.has(id)) return json(200, { errors: [notFoundProblem('id', id, 'user')], meta: { result_count: 0 } });
  const exclude = new Set((ctx.query.get('exclude') ?? '').split(','));
  return listTweets(ctx, {
    min: 5,
    max: 100,
    def: 10,
    candidates: function* () {
      for (const t of newestFirst(state.byAuthor.get(id))) if (!(exclude.has('retweets') && t.retweetOf)) yield t;
    },
  });
}

const TOO_LONG =
  'Your Tweet text is too long. For more information on how Twitter determines text length see https://github.com/twitter/twitter-text.';

function postTweet(ctx: Ctx): Reply {
  const body = parseJson(ctx.body) as { text?: unknown } | null;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return invalidRequest({ message: 'Request body must be a JSON object' });
  }
  const text = body.text;
  if (typeof text !== 'string') {
    return invalidRequest({ message: text === undefined ? '$.text: is missing but it is required' : '$.text: string found, expected string' });
  }
  if (text.trim() === '') return invalidParam('text', text, 'Your Tweet text is empty.');
  if (twitterText.parseTweet(text).weightedLength > 280) return invalidRequest({ message: TOO_LONG });
  const { state } = ctx.core;
  const user = ctx.user!;
  if (state.duplicateOf(user.id, text)) return duplicate();
  const t = state.addTweet(user, text);
  ctx.core.touch();
  return json(201, { data: { id: t.id, text: t.text, edit_history_tweet_ids: [t.id] } });
}

function deleteTweet(ctx: Ctx): Reply {
  const id = ctx.params.id!;
  const { state } = ctx.core;
  const t = ID_RE.test(id) ? state.tweets.get(id) : undefined;
  if (!t) return json(404, { ...notFoundProblem('id', id, 'tweet'), status: 404 });
  if (t.authorId !== ctx.user!.id) return forbidden('You are not allowed to delete a Tweet that is not yours.');
  state.deleteTweet(t);
  ctx.core.touch();
  return json(200, { data: { deleted: true } });
}

function retweet(ctx: Ctx): Reply {
  if (ctx.params.id !== ctx.user!.id) return forbidden('You are not allowed to retweet on behalf of another user.');
  const body = parseJson(ctx.body) as { tweet_id?: unknown } | null;
  const tid = body && typeof body === 'object' ? body.tweet_id : undefined;
  if (typeof tid !== 'string' || !ID_RE.test(tid)) {
    return invalidRequest({ message: '$.tweet_id: is missing but it is required' });
  }
  const { state } = ctx.core;
  let target = state.tweets.get(tid);
  if (target?.retweetOf) target = state.tweets.get(target.retweetOf);
  if (!target) return json(404, { ...notFoundProblem('tweet_id', tid, 'tweet'), status: 404 });
  const user = ctx.user!;
  if (!state.retweets.has(`${user.id}:${target.id}`)) {
    const author = state.accounts.get(target.authorId)!;
    state.addTweet(user, `RT @${author.username}: ${target.text}`, state.now(), target.id);
    ctx.core.touch();
  }
  return json(200, { data: { id: target.id, retweeted: true } });
}

function unretweet(ctx: Ctx): Reply {
  if (ctx.params.id !== ctx.user!.id) return forbidden('You are not allowed to undo a retweet on behalf of another user.');
  const { state } = ctx.core;
  const rtId = state.retweets.get(`${ctx.user!.id}:${ctx.params.tweet_id}`);
  const rt = rtId ? state.tweets.get(rtId) : undefined;
  if (rt) {
    state.deleteTweet(rt);
    ctx.core.touch();
  }
  return json(200, { data: { retweeted: false } });
}

function lookupMany(ctx: Ctx): Reply {
  const fields = parseFields(ctx.query);
  if (isReply(fields)) return fields;
  const raw = ctx.query.get('ids');
  if (!raw) return invalidParam('ids', raw ?? '', 'The `ids` query parameter can not be empty');
  const ids = raw.split(',');
  if (ids.length > 100) return invalidParam('ids', raw, `The number of values in the \`ids\` query parameter list [${ids.length}] is not between 1 and 100`);
  for (const id of ids) if (!ID_RE.test(id)) return invalidParam('ids', id, `The \`ids\` query parameter value [${id}] does not match ^[0-9]{1,19}$`);
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
  const id = ctx.params.id!;
  if (!ID_RE.test(id)) return invalidParam('id', id, `The \`id\` query parameter value [${id}] does not match ^[0-9]{1,19}$`);
  const t = ctx.core.state.tweets.get(id);
  // X answers a missing tweet with 200 and an errors array, not 404.
  if (!t) return json(200, { errors: [notFoundProblem('id', id, 'tweet')] });
  const body = tweetsBody(ctx, [t], fields, []);
  return json(200, { ...body, data: (body.data as unknown[])[0] });
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

const WEEK_MS = 7 * 86_400_000;

function searchRecent(ctx: Ctx): Reply {
  const query = ctx.query.get('query');
  if (!query || !query.trim()) return invalidParam('query', query ?? '', 'The `query` query parameter can not be empty');
  if (query.length > 512) return invalidParam('query', query, 'The `query` query parameter value is too long');
  const match = compileQuery(ctx, query);
  return listTweets(ctx, {
    min: 10,
    max: 100,
    def: 10,
    candidates: function* (c) {
      const { state } = c.core;
      const oldest = state.now() - WEEK_MS;
      const tl = state.timeline;
      for (let i = tl.length - 1; i >= 0; i--) {
        const t = tl[i]!;
        if (t.createdAt < oldest) break;
        if (!t.deleted && match(t)) yield t;
      }
    },
  });
}

/**
 * A useful subset of X's search syntax: words and "phrases" (case-insensitive, all must match),
 * #tags, @mentions, from:user, is:retweet, lang:xx, a leading - to negate, and OR between groups.
 */
function compileQuery(ctx: Ctx, query: string): (t: Tweet) => boolean {
  const { state } = ctx.core;
  const groups: Array<Array<(t: Tweet) => boolean>> = [[]];
  for (const tok of query.match(/-?"[^"]*"|\S+/g) ?? []) {
    if (tok === 'OR') {
      groups.push([]);
      continue;
    }
    const neg = tok.startsWith('-') && tok.length > 1;
    const term = neg ? tok.slice(1) : tok;
    let test: (t: Tweet) => boolean;
    const lower = term.replace(/^"|"$/g, '').toLowerCase();
    if (lower.startsWith('from:')) {
      const acc = state.account(lower.slice(5).replace(/^@/, ''));
      test = (t) => !!acc && t.authorId === acc.id;
    } else if (lower === 'is:retweet') {
      test = (t) => !!t.retweetOf;
    } else if (lower.startsWith('lang:')) {
      const lang = lower.slice(5);
      test = (t) => (/[\u0400-\u04FF]/.test(t.text) ? 'ru' : 'en') === lang;
    } else {
      test = (t) => t.text.toLowerCase().includes(lower);
    }
    groups[groups.length - 1]!.push(neg ? (t) => !test(t) : test);
  }
  return (t) => groups.some((g) => g.length > 0 && g.every((f) => f(t)));
}

// ---- OAuth 1.0a PIN flow ----------------------------------------------------------------------

const FORM = 'application/x-www-form-urlencoded';

function oauthParam(ctx: Ctx, name: string): string | undefined {
  const fromForm = ctx.contentType.startsWith(FORM) ? new URLSearchParams(ctx.body.toString('utf8')).get(name) : null;
  return fromForm ?? ctx.query.get(name) ?? parseAuthHeader(ctx.authHeader)?.get(name) ?? undefined;
}

function requestToken(ctx: Ctx): Reply {
  const callback = oauthParam(ctx, 'oauth_callback');
  if (!callback || (callback !== 'oob' && !/^https?:\/\//.test(callback))) {
    return json(400, { errors: [{ code: 417, message: 'Desktop applications only support the oauth_callback value \'oob\'' }] });
  }
  const { state } = ctx.core;
  const token = randomBytes(20).toString('base64url').slice(0, 27);
  const secret = randomBytes(24).toString('base64url').slice(0, 32);
  state.requestTokens.set(token, { secret, createdAt: Date.now() });
  pruneRequestTokens(ctx);
  return form(200, { oauth_token: token, oauth_token_secret: secret, oauth_callback_confirmed: 'true' });
}

function pruneRequestTokens(ctx: Ctx): void {
  const cutoff = Date.now() - 3_600_000;
  for (const [k, v] of ctx.core.state.requestTokens) if (v.createdAt < cutoff) ctx.core.state.requestTokens.delete(k);
}

/** Marks a request token authorized by an account and returns the PIN (also used by the admin API). */
export function authorizeRequestToken(ctx: Pick<Ctx, 'core'>, token: string, account: Account): string | undefined {
  const rt = ctx.core.state.requestTokens.get(token);
  if (!rt) return undefined;
  rt.userId = account.id;
  rt.verifier ??= String(randomInt(1_000_000, 10_000_000));
  return rt.verifier;
}

/**
 * The "authorize app" page. With `username=` (an existing account, or a new one, like signing up)
 * it authorizes at once and shows the PIN in `<code id="pin">`; without it, a form to pick one.
 */
function authorizePage(ctx: Ctx): Reply {
  const token = ctx.query.get('oauth_token') ?? '';
  const { state } = ctx.core;
  if (!state.requestTokens.has(token)) {
    return html(400, 'Authorize app', '<p>This page is no longer valid: the request token is unknown or expired.</p>');
  }
  const raw = ctx.query.get('username') ?? ctx.query.get('screen_name');
  if (raw) {
    const name = normalizeUsername(raw);
    if (!name) return html(400, 'Authorize app', '<p>Invalid username.</p>');
    const acc = state.createAccount(name);
    ctx.core.touch();
    const pin = authorizeRequestToken(ctx, token, acc)!;
    return html(200, 'Authorize app',
      `<p>You authorized the app for <b>@${escapeHtml(acc.username)}</b>.</p>` +
      `<p>Enter this PIN to complete the authorization process:</p><p><code id="pin">${pin}</code></p>`);
  }
  const options = [...state.accounts.values()]
    .map((a) => `<li><a href="?oauth_token=${encodeURIComponent(token)}&amp;username=${encodeURIComponent(a.username)}">@${escapeHtml(a.username)}</a></li>`)
    .join('');
  return html(200, 'Authorize app',
    `<p>Sign in to authorize the app. Pick an account or type a new username.</p>` +
    `<form method="get"><input type="hidden" name="oauth_token" value="${escapeHtml(token)}">` +
    `<input name="username" placeholder="username"> <button type="submit">Authorize app</button></form><ul>${options}</ul>`);
}

function accessToken(ctx: Ctx): Reply {
  const { state } = ctx.core;
  const token = parseAuthHeader(ctx.authHeader)?.get('oauth_token') ?? '';
  const rt = state.requestTokens.get(token);
  const verifier = oauthParam(ctx, 'oauth_verifier');
  if (!rt || !rt.userId || !rt.verifier || verifier !== rt.verifier) {
    return json(401, { errors: [{ code: 32, message: 'Could not authenticate you.' }] });
  }
  state.requestTokens.delete(token);
  const acc = state.accounts.get(rt.userId)!;
  state.reauthorize(acc);
  ctx.core.touch();
  return form(200, { oauth_token: acc.token, oauth_token_secret: acc.secret, user_id: acc.id, screen_name: acc.username });
}

function form(status: number, fields: Record<string, string>): Reply {
  return { status, text: new URLSearchParams(fields).toString(), contentType: 'text/html; charset=utf-8' };
}

function html(status: number, title: string, inner: string): Reply {
  return {
    status,
    contentType: 'text/html; charset=utf-8',
    text: `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${inner}</body></html>\n`,
  };
}

export { BadJson, generic };
