/**
 * Who is calling: a user through an OAuth 1.0a signature, the app alone through its OAuth 2.0 bearer
 * token, or the app's key and secret through HTTP Basic (to obtain that token). Each route names the
 * kinds it takes; a valid credential of another kind gets X's 403 unsupported-authentication.
 */
import type { Ctx } from './core.js';
import { formPairs, unauthorized, unsupportedAuth, type Reply } from './http.js';
import { baseString, checkHeader, hmacSha1, parseAuthHeader, safeEqual, signedParams, signingKey } from './oauth.js';

/**
 * 'user': a user's access token (OAuth 1.0a); 'app': the bearer token; 'user|app': either;
 * 'consumer' / 'request-token': the PIN flow's signatures; 'basic': the app's key and secret; 'none'.
 */
export type AuthKind = 'user' | 'app' | 'user|app' | 'consumer' | 'request-token' | 'basic' | 'none';

/**
 * Verifies the OAuth 1.0a signature. For 'user' the token must be a live access token, for
 * 'request-token' a pending request token, for 'consumer' absent. Returns the token on success.
 */
export function verifyOAuth1(ctx: Ctx, auth: 'user' | 'consumer' | 'request-token'): { ok: true; token?: string } | { ok: false } {
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

function bearerOf(header: string | undefined): string | undefined {
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return m ? m[1] : undefined;
}

/** HTTP Basic with the app's consumer key and secret (RFC 6749 §2.3.1: both form-url-encoded first). */
export function verifyBasic(ctx: Ctx): boolean {
  const m = ctx.authHeader ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(ctx.authHeader) : null;
  if (!m) return false;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return false;
  let key: string;
  let secret: string;
  try {
    key = decodeURIComponent(decoded.slice(0, i));
    secret = decodeURIComponent(decoded.slice(i + 1));
  } catch {
    return false;
  }
  const { app } = ctx.core.state;
  return safeEqual(key, app.key) && safeEqual(secret, app.secret);
}

const USER_KINDS = 'OAuth 1.0a User Context, OAuth 2.0 User Context';
const APP_KINDS = 'OAuth 2.0 Application-Only';

/**
 * Authenticates an API call for a route; undefined when it may proceed (ctx.user or ctx.app set),
 * otherwise the reply X gives.
 */
export function authenticate(ctx: Ctx, auth: AuthKind): Reply | undefined {
  if (auth === 'none') return undefined;
  if (auth === 'basic') return verifyBasic(ctx) ? undefined : unauthorized();
  if (auth === 'consumer' || auth === 'request-token') return verifyOAuth1(ctx, auth).ok ? undefined : unauthorized();
  const bearer = bearerOf(ctx.authHeader);
  if (bearer !== undefined) {
    const live = ctx.core.state.bearer;
    if (!live || !safeEqual(bearer, live)) return unauthorized();
    if (auth === 'user') return unsupportedAuth('OAuth 2.0 Application-Only', USER_KINDS);
    ctx.app = true;
    return undefined;
  }
  if (!verifyOAuth1(ctx, 'user').ok) return unauthorized();
  if (auth === 'app') return unsupportedAuth('OAuth 1.0a User Context', APP_KINDS);
  return undefined;
}
