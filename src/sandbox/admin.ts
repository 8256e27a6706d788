/**
 * The sandbox admin API (a contract: see shared/design/ARCHITECTURE.md §6). JSON in and out, no
 * OAuth, no rate limits, not counted in /sandbox/requests. Errors: `{"error": "..."}` with 400/404.
 *
 *   POST   /sandbox/accounts {"username","name"?}  → 201 {id, username, name, token, secret}
 *                                                    200 with the same shape if it already exists
 *                                                    (new tokens if it had been revoked)
 *   GET    /sandbox/accounts                        → [{id, username, name, following, tweets}]
 *   GET    /sandbox/app                             → {consumer_key, consumer_secret}
 *   POST   /sandbox/follows {"follower","followee"} → {follower, followee, following: true}
 *   DELETE /sandbox/follows {"follower","followee"} → {follower, followee, following: false}
 *          (accounts by username, with or without @, or by id)
 *   POST   /sandbox/tweets {"username","text"}     → 201 tweet {id, text, author_id, username, created_at,
 *                                                    edit_history_tweet_ids, public_metrics}; no limits,
 *                                                    no length or duplicate check
 *   GET    /sandbox/tweets[?username=U][&limit=N]   → [tweet…] newest first (all accounts without username)
 *   GET    /sandbox/requests                        → {"GET /2/users/me": 3, "POST /2/tweets": 10, …}
 *   DELETE /sandbox/requests                        → {} (counters reset)
 *   GET    /sandbox/clock                           → {now, now_ms, offset_s}
 *   POST   /sandbox/clock {"advance": seconds}      → {now, now_ms, offset_s} after the move
 *   POST   /sandbox/faults {"path","status","count"?=1,"method"?}
 *                                                   → {faults:[…]}: the next `count` API calls whose
 *                                                    template ("/2/tweets/:id") or concrete path equals
 *                                                    `path` fail with `status` and X's body for it
 *   GET    /sandbox/faults / DELETE /sandbox/faults → pending faults / clear them
 *   POST   /sandbox/revoke {"username"}            → {revoked: true}; its tokens now get 401
 *   POST   /sandbox/authorize {"oauth_token","username"} → {pin} (the PIN page without HTML)
 *   GET    /sandbox/limits?username=U              → {"METHOD /template": {limit, remaining, reset}}
 *   POST   /sandbox/tier {"tier"}                  → {tier}: switch free|basic|pro at run time
 *   POST   /sandbox/reset {"seed"?=true}           → {ok: true}: wipe everything (new state, reseeded)
 */
import { authorizeRequestToken } from './api.js';
import type { Core } from './core.js';
import { BadJson, json, parseJson, type Reply } from './http.js';
import { LIMITS } from './limits.js';
import { renderTweet } from './render.js';
import { normalizeUsername, TIERS, type Account, type Tier, type Tweet } from './state.js';

const ADMIN_TWEET_FIELDS = new Set(['author_id', 'created_at', 'public_metrics', 'referenced_tweets']);

const err = (status: number, error: string): Reply => json(status, { error });

function obj(body: Buffer): Record<string, unknown> {
  const v = parseJson(body);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new BadJson('expected a JSON object');
  return v as Record<string, unknown>;
}

function creds(a: Account) {
  return { id: a.id, username: a.username, name: a.name, token: a.token, secret: a.secret };
}

function clock(core: Core) {
  const now = core.state.now();
  return { now: new Date(now).toISOString(), now_ms: now, offset_s: core.state.offsetMs / 1000 };
}

function adminTweet(core: Core, t: Tweet) {
  const out = renderTweet(core.state, t, ADMIN_TWEET_FIELDS, core.state.now());
  return { ...out, username: core.state.accounts.get(t.authorId)?.username };
}

export function handleAdmin(core: Core, method: string, path: string, query: URLSearchParams, body: Buffer): Reply {
  const { state } = core;
  const route = `${method} ${path.replace(/\/+$/, '')}`;
  try {
    switch (route) {
      case 'POST /sandbox/accounts': {
        const b = obj(body);
        const username = normalizeUsername(b.username);
        if (!username) return err(400, 'username must match ^@?[A-Za-z0-9_]{1,32}$');
        const existing = state.account(username);
        if (existing) {
          state.reauthorize(existing);
          core.touch();
          return json(200, creds(existing));
        }
        const acc = state.createAccount(username, typeof b.name === 'string' ? b.name : undefined);
        core.touch();
        return json(201, creds(acc));
      }
      case 'GET /sandbox/accounts':
        return json(200, [...state.accounts.values()].map((a) => ({
          id: a.id,
          username: a.username,
          name: a.name,
          following: state.follows.get(a.id)?.size ?? 0,
          tweets: (state.byAuthor.get(a.id) ?? []).filter((t) => !t.deleted).length,
        })));
      case 'GET /sandbox/app':
        return json(200, { consumer_key: state.app.key, consumer_secret: state.app.secret });
      case 'POST /sandbox/follows':
      case 'DELETE /sandbox/follows': {
        const b = obj(body);
        const follower = state.resolve(b.follower);
        const followee = state.resolve(b.followee);
        if (!follower || !followee) return err(404, `unknown account: ${String(!follower ? b.follower : b.followee)}`);
        if (method === 'POST') state.follow(follower, followee);
        else state.unfollow(follower, followee);
        core.touch();
        return json(200, { follower: follower.username, followee: followee.username, following: method === 'POST' });
      }
      case 'POST /sandbox/tweets': {
        const b = obj(body);
        const acc = state.resolve(b.username);
        if (!acc) return err(404, `unknown account: ${String(b.username)}`);
        if (typeof b.text !== 'string' || !b.text) return err(400, 'text must be a non-empty string');
        const t = state.addTweet(acc, b.text);
        core.touch();
        return json(201, adminTweet(core, t));
      }
      case 'GET /sandbox/tweets': {
        const u = query.get('username');
        const limit = Math.max(1, Math.min(10_000, Number(query.get('limit') ?? 10_000) || 10_000));
        let list: Tweet[];
        if (u !== null) {
          const acc = state.resolve(u);
          if (!acc) return err(404, `unknown account: ${u}`);
          list = state.byAuthor.get(acc.id) ?? [];
        } else list = state.timeline;
        const out = [];
        for (let i = list.length - 1; i >= 0 && out.length < limit; i--) if (!list[i]!.deleted) out.push(adminTweet(core, list[i]!));
        return json(200, out);
      }
      case 'GET /sandbox/requests':
        return json(200, Object.fromEntries(state.requests));
      case 'DELETE /sandbox/requests':
        state.requests.clear();
        return json(200, {});
      case 'GET /sandbox/clock':
        return json(200, clock(core));
      case 'POST /sandbox/clock': {
        const b = obj(body);
        const adv = b.advance;
        if (typeof adv !== 'number' || !Number.isFinite(adv) || adv < 0) return err(400, 'advance must be a number of seconds >= 0');
        state.offsetMs += Math.round(adv * 1000);
        core.touch();
        return json(200, clock(core));
      }
      case 'POST /sandbox/faults': {
        const b = obj(body);
        const status = b.status;
        const count = b.count ?? 1;
        if (typeof b.path !== 'string' || !b.path.startsWith('/')) return err(400, 'path must start with /');
        if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599) return err(400, 'status must be an HTTP error status');
        if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) return err(400, 'count must be a positive integer');
        if (b.method !== undefined && typeof b.method !== 'string') return err(400, 'method must be a string');
        core.faults.push({
          path: b.path,
          status,
          remaining: count,
          ...(b.method ? { method: (b.method as string).toUpperCase() } : {}),
        });
        return json(200, { faults: core.faults });
      }
      case 'GET /sandbox/faults':
        return json(200, { faults: core.faults });
      case 'DELETE /sandbox/faults':
        core.faults.length = 0;
        return json(200, { faults: [] });
      case 'POST /sandbox/revoke': {
        const acc = state.resolve(obj(body).username);
        if (!acc) return err(404, 'unknown account');
        state.revoke(acc);
        core.touch();
        return json(200, { revoked: true });
      }
      case 'POST /sandbox/authorize': {
        const b = obj(body);
        const username = normalizeUsername(b.username);
        if (!username || typeof b.oauth_token !== 'string') return err(400, 'oauth_token and username are required');
        if (!state.requestTokens.has(b.oauth_token)) return err(404, 'unknown request token');
        const acc = state.createAccount(username);
        core.touch();
        return json(200, { pin: authorizeRequestToken({ core }, b.oauth_token, acc) });
      }
      case 'GET /sandbox/limits': {
        const acc = state.resolve(query.get('username') ?? '');
        if (!acc) return err(404, 'unknown account');
        const now = state.now();
        return json(200, Object.fromEntries(Object.keys(LIMITS).map((k) => [k, core.limiter.peek(k, acc.id, now)])));
      }
      case 'POST /sandbox/tier': {
        const tier = obj(body).tier;
        if (!TIERS.includes(tier as Tier)) return err(400, 'tier must be free, basic or pro');
        core.limiter.tier = tier as Tier;
        return json(200, { tier });
      }
      case 'POST /sandbox/reset': {
        const b = body.length ? obj(body) : {};
        core.reset(b.seed !== false);
        return json(200, { ok: true });
      }
      default:
        return err(404, `no admin call ${route}`);
    }
  } catch (e) {
    if (e instanceof BadJson) return err(400, e.message);
    throw e;
  }
}
