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
 *   POST   /sandbox/tweets {"username","text","reply_to"?,"quote_of"?,"lang"?,"coordinates"?: [lon, lat]}
 *                                                 → 201 tweet {id, text, author_id, username, created_at,
 *                                                    edit_history_tweet_ids, public_metrics, referenced_tweets?,
 *                                                    lang, geo?}; no limits, no length or duplicate check
 *                                                    (a long text becomes a note tweet); new tweets reach
 *                                                    open filtered streams
 *   GET    /sandbox/tweets[?username=U][&limit=N]   → [tweet…] newest first (all accounts without username),
 *                                                    retweets included (referenced_tweets: retweeted)
 *   POST   /sandbox/retweets {"username","tweet_id"} → 201 the retweet; the original's retweet_count moves
 *   POST   /sandbox/likes {"username","tweet_id"}   → {liked: true, like_count}
 *   GET    /sandbox/requests                        → {"GET /2/users/me": 3, "POST /2/tweets": 10, …}
 *   DELETE /sandbox/requests                        → {} (counters reset)
 *   GET    /sandbox/clock                           → {now, now_ms, offset_s}
 *   POST   /sandbox/clock {"advance": seconds}      → {now, now_ms, offset_s} after the move; 400 if the
 *                                                    clock would end up more than 10 years ahead
 *   POST   /sandbox/faults {"path","status","count"?=1,"method"?}
 *                                                   → {faults:[…]}: the next `count` API calls whose
 *                                                    template ("/2/tweets/:id") or concrete path equals
 *                                                    `path` fail with `status` and X's body for it
 *   GET    /sandbox/faults / DELETE /sandbox/faults → pending faults / clear them
 *   POST   /sandbox/revoke {"username"}            → {revoked: true}; its tokens now get 401
 *   POST   /sandbox/authorize {"oauth_token","username"} → {pin} (the PIN page without HTML)
 *   GET    /sandbox/limits?username=U              → {"METHOD /template": {limit, remaining, reset}}
 *   POST   /sandbox/tier {"tier"}                  → {tier}: switch free|basic|pro at run time
 *   POST   /sandbox/stream/disconnect             → {disconnected: N}: drops every open filtered stream
 *                                                    (X's operational-disconnect message, then the end)
 *   POST   /sandbox/reset {"seed"?=true}           → {ok: true}: wipe everything (new state, reseeded)
 */
import type { Core } from './core.js';
import { BadJson, json, parseJson, type Reply } from './http.js';
import { LIMITS } from './limits.js';
import { renderTweet } from './render.js';
import { original, retweetAs } from './routes/engagement.js';
import { authorizeRequestToken } from './routes/pin.js';
import { normalizeUsername, TIERS, type Account, type Tier, type Tweet, type TweetExtra } from './state.js';

const ADMIN_TWEET_FIELDS = new Set(['author_id', 'created_at', 'public_metrics', 'referenced_tweets', 'lang', 'geo', 'conversation_id']);
/** The furthest /sandbox/clock may run ahead: past it, dates stop being ones X could produce. */
const MAX_OFFSET_MS = 10 * 365 * 86_400_000;

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

/** reply_to, quote_of, lang and coordinates of a seeded tweet, checked; a string is the error. */
function tweetExtra(core: Core, b: Record<string, unknown>): TweetExtra | string {
  const out: TweetExtra = {};
  for (const [key, field] of [['reply_to', 'replyTo'], ['quote_of', 'quoteOf']] as const) {
    const v = b[key];
    if (v === undefined) continue;
    if (typeof v !== 'string' || !core.state.tweets.has(v)) return `unknown tweet for ${key}: ${String(v)}`;
    out[field] = v;
  }
  if (b.lang !== undefined) {
    if (typeof b.lang !== 'string' || !/^[a-z]{2,3}(-[A-Za-z]{2,4})?$/.test(b.lang)) return 'lang must be a BCP 47 code such as "ru" or "en"';
    out.lang = b.lang;
  }
  if (b.coordinates !== undefined) {
    const c = b.coordinates;
    const ok = Array.isArray(c) && c.length === 2 && c.every((x) => typeof x === 'number' && Number.isFinite(x))
      && Math.abs(c[0] as number) <= 180 && Math.abs(c[1] as number) <= 90;
    if (!ok) return 'coordinates must be [longitude, latitude]';
    out.coordinates = c as [number, number];
  }
  return out;
}

export function handleAdmin(core: Core, method: string, path: string, query: URLSearchParams, body: Buffer): Reply {
  const { state } = core;
  const route = `${method} ${path.replace(/\/+$/, '')}`;
  try {
    switch (route) {
      case 'POST /sandbox/accounts': {
        const b = obj(body);
        const username = normalizeUsername(b.username);
        if (!username) return err(400, 'username must match ^@?[A-Za-z0-9_]{1,15}$ (X\'s handle rule)');
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
        const extra = tweetExtra(core, b);
        if (typeof extra === 'string') return err(extra.startsWith('unknown') ? 404 : 400, extra);
        const t = state.addTweet(acc, b.text, state.now(), extra);
        core.touch();
        return json(201, adminTweet(core, t));
      }
      case 'POST /sandbox/retweets':
      case 'POST /sandbox/likes': {
        const b = obj(body);
        const acc = state.resolve(b.username);
        if (!acc) return err(404, `unknown account: ${String(b.username)}`);
        const target = typeof b.tweet_id === 'string' ? original(core, b.tweet_id) : undefined;
        if (!target) return err(404, `unknown tweet: ${String(b.tweet_id)}`);
        if (route === 'POST /sandbox/likes') {
          state.like(acc, target.id);
          core.touch();
          return json(200, { liked: true, like_count: state.engagement(target.id).likes });
        }
        retweetAs(core, acc, target);
        const rt = state.tweets.get(state.retweets.get(`${acc.id}:${target.id}`)!)!;
        return json(201, adminTweet(core, rt));
      }
      case 'POST /sandbox/stream/disconnect': {
        const n = core.streams.size;
        for (const c of [...core.streams]) c.close();
        return json(200, { disconnected: n });
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
        if (state.offsetMs + adv * 1000 > MAX_OFFSET_MS) {
          return err(400, `advance would put the clock more than 10 years (${MAX_OFFSET_MS / 1000} s) ahead; it is ${state.offsetMs / 1000} s ahead now`);
        }
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
