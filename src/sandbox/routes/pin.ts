/** The OAuth 1.0a PIN flow: request token, the "authorize app" page, access token. */
import { randomBytes, randomInt } from 'node:crypto';
import type { Ctx } from '../core.js';
import { escapeHtml, json, type Reply } from '../http.js';
import { parseAuthHeader } from '../oauth.js';
import { normalizeUsername, type Account } from '../state.js';
import type { RouteDef } from './route.js';

export const pinRoutes: RouteDef[] = [
  { method: 'POST', template: '/oauth/request_token', auth: 'consumer', handler: requestToken },
  { method: 'GET', template: '/oauth/authorize', auth: 'none', handler: authorizePage },
  { method: 'GET', template: '/oauth/authenticate', auth: 'none', handler: authorizePage },
  { method: 'POST', template: '/oauth/access_token', auth: 'request-token', handler: accessToken },
];

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
