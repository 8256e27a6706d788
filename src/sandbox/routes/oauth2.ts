/**
 * App-only authentication (OAuth 2.0 client credentials) as X does it: the app's key and secret in
 * HTTP Basic buy one bearer token, the same one on every request until it is invalidated.
 */
import { randomBytes } from 'node:crypto';
import type { Ctx } from '../core.js';
import { json, type Reply } from '../http.js';
import type { RouteDef } from './route.js';

export const oauth2Routes: RouteDef[] = [
  { method: 'POST', template: '/oauth2/token', auth: 'basic', handler: token },
  { method: 'POST', template: '/oauth2/invalidate_token', auth: 'basic', handler: invalidate },
];

/** Form fields from the body (x-www-form-urlencoded) or, as X also allows, the query. */
function field(ctx: Ctx, name: string): string | null {
  const form = /^application\/x-www-form-urlencoded\b/i.test(ctx.contentType) ? new URLSearchParams(ctx.body.toString('utf8')) : undefined;
  return form?.get(name) ?? ctx.query.get(name);
}

function oauthError(status: number, code: number, message: string): Reply {
  return json(status, { errors: [{ code, message, label: 'invalid_request' }] });
}

function token(ctx: Ctx): Reply {
  if (field(ctx, 'grant_type') !== 'client_credentials') return oauthError(403, 170, 'Missing required parameter: grant_type');
  const { state } = ctx.core;
  // X's bearer tokens start with a run of A's, then a URL-encoded random part.
  state.bearer ??= `AAAAAAAAAAAAAAAAAAAAA${state.derive(`bearer:${randomBytes(4).toString('hex')}`, 60)}`;
  ctx.core.touch();
  return json(200, { token_type: 'bearer', access_token: state.bearer });
}

function invalidate(ctx: Ctx): Reply {
  const { state } = ctx.core;
  const given = field(ctx, 'access_token');
  if (!given || given !== state.bearer) return oauthError(401, 89, 'Invalid or expired token.');
  state.bearer = undefined;
  ctx.core.touch();
  return json(200, { access_token: given });
}
