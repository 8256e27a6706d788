/**
 * Rate-limit windows per tier, from X's published tables: the farm's original endpoints as in the
 * project's X notes (RATE-LIMITS.md); the newer ones from X's plan table ("X API v2 rate limits",
 * docs.x.com/x-api/fundamentals/rate-limits: Pro / Basic / Free columns) and, where that table has no
 * row, the endpoint's own API reference page (noted per entry). Each endpoint has a per-user window
 * (what `x-rate-limit-*` reports for user-context calls), a per-app window for app-only (bearer) calls,
 * and, for posting, a 24-hour per-app and per-user window (`x-app-limit-24hour-*`, `x-user-limit-24hour-*`).
 * A tier given as `null` has no access to the endpoint at all (X answers 403 client-not-enrolled).
 * Windows are fixed, start at the first call and run on the sandbox clock, so /sandbox/clock can
 * jump past a reset. A refused call (429) does not consume budget.
 */
import { RULE_MAX_LENGTH } from '../xquery/index.js';
import type { Tier } from './state.js';

const MIN15 = 900;
const DAY = 86_400;

export interface WindowSpec {
  limit: number;
  seconds: number;
}

export interface EndpointLimits {
  /** user-context calls, per user (absent: the endpoint takes app-only auth alone) */
  user?: WindowSpec;
  /** 24 h per-user posting cap when `user` is a shorter window (pro) */
  userDay?: WindowSpec;
  /** posting: the 24 h window shared by every user of the app */
  app?: WindowSpec;
  /** app-only (bearer) calls, per app */
  bearer?: WindowSpec;
}

const w = (limit: number, seconds: number): WindowSpec => ({ limit, seconds });
const per15 = (free: number, basic: number, pro: number): Record<Tier, EndpointLimits> => ({
  free: { user: w(free, MIN15) },
  basic: { user: w(basic, MIN15) },
  pro: { user: w(pro, MIN15) },
});
/** [per user, per app] per 15 minutes for each tier. */
type Pair = [number, number];
const both15 = (free: Pair, basic: Pair, pro: Pair): Record<Tier, EndpointLimits> => ({
  free: { user: w(free[0], MIN15), bearer: w(free[1], MIN15) },
  basic: { user: w(basic[0], MIN15), bearer: w(basic[1], MIN15) },
  pro: { user: w(pro[0], MIN15), bearer: w(pro[1], MIN15) },
});
/** Pro only, per app (X's filtered stream and counts are not part of Free and Basic). */
const proApp = (perApp: number): Record<Tier, EndpointLimits | null> => ({
  free: null,
  basic: null,
  pro: { bearer: w(perApp, MIN15), user: w(perApp, MIN15) },
});
// User lookups: Pro 900 / 15 min per user, 300 per app (API reference of each lookup); Basic 100 / 24 h
// per user and 500 / 24 h per app; Free 3 / 15 min (plan table).
const userLookup: Record<Tier, EndpointLimits> = {
  free: { user: w(3, MIN15), bearer: w(3, MIN15) },
  basic: { user: w(100, DAY), bearer: w(500, DAY) },
  pro: { user: w(900, MIN15), bearer: w(300, MIN15) },
};

/** Keyed by the same "METHOD /template" string as /sandbox/requests. */
export const LIMITS: Record<string, Record<Tier, EndpointLimits | null>> = {
  'POST /2/tweets': {
    free: { user: w(17, DAY), app: w(17, DAY) },
    basic: { user: w(100, DAY), app: w(1_667, DAY) },
    // Pro publishes 100/15 min per user; 2,400/day per user is X's long-standing daily posting cap.
    pro: { user: w(100, MIN15), userDay: w(2_400, DAY), app: w(10_000, DAY) },
  },
  // Not in the published table: X documents deletes alongside posts; same shape, assumed.
  'DELETE /2/tweets/:id': {
    free: { user: w(17, DAY) },
    basic: { user: w(100, DAY) },
    pro: { user: w(50, MIN15) },
  },
  'GET /2/users/:id/timelines/reverse_chronological': per15(1, 5, 180),
  'GET /2/users/:id/tweets': per15(1, 5, 900),
  'POST /2/users/:id/retweets': per15(1, 5, 50),
  'DELETE /2/users/:id/retweets/:tweet_id': per15(1, 5, 50),
  'GET /2/users/me': {
    free: { user: w(25, DAY) },
    basic: { user: w(250, DAY) },
    pro: { user: w(75, MIN15) },
  },
  'GET /2/tweets': both15([1, 1], [15, 15], [900, 450]),
  'GET /2/tweets/:id': both15([1, 1], [15, 15], [900, 450]),
  // Per app: 450 / 15 min on Pro (plan table); Basic and Free as per user.
  'GET /2/tweets/search/recent': both15([1, 1], [60, 60], [300, 450]),
  'GET /2/users/by/username/:username': userLookup,
  'GET /2/users/by': userLookup,
  'GET /2/users/:id': userLookup,
  'GET /2/users': userLookup,
  // Mentions: Pro 180 per user / 450 per app (timelines migration guide); Basic 10 / 15 per 15 min; Free 1.
  'GET /2/users/:id/mentions': both15([1, 1], [10, 15], [180, 450]),
  // Plan table: retweeted_by and quote_tweets 75/75 Pro, 5/5 Basic, 1/1 Free; liking_users 5 / 25 on Basic.
  'GET /2/tweets/:id/retweeted_by': both15([1, 1], [5, 5], [75, 75]),
  'GET /2/tweets/:id/quote_tweets': both15([1, 1], [5, 5], [75, 75]),
  'GET /2/tweets/:id/liking_users': both15([1, 1], [5, 25], [75, 75]),
  'GET /2/users/:id/liked_tweets': both15([1, 1], [5, 5], [75, 75]),
  // Likes: Pro 50 / 15 min; Basic 200 / 24 h (likes) and 100 / 24 h (unlikes); Free 1 / 15 min (plan table).
  'POST /2/users/:id/likes': { free: { user: w(1, MIN15) }, basic: { user: w(200, DAY) }, pro: { user: w(50, MIN15) } },
  'DELETE /2/users/:id/likes/:tweet_id': { free: { user: w(1, MIN15) }, basic: { user: w(100, DAY) }, pro: { user: w(50, MIN15) } },
  // Counts and the filtered stream: per app, Pro only (rate-limits page: counts 300, stream 50, rules
  // 450 GET / 100 POST per 15 min).
  'GET /2/tweets/counts/recent': proApp(300),
  'GET /2/tweets/search/stream': proApp(50),
  'GET /2/tweets/search/stream/rules': proApp(450),
  'POST /2/tweets/search/stream/rules': proApp(100),
};

/**
 * Filtered-stream rule limits per tier (docs.x.com filtered-stream introduction: Pro 1,000 rules of
 * 1,024 characters; the length is xquery's RULE_MAX_LENGTH, from the same page).
 */
export const STREAM_RULES: Record<Tier, { count: number; length: number } | null> = {
  free: null,
  basic: null,
  pro: { count: 1000, length: RULE_MAX_LENGTH.pro },
};

interface WindowState {
  used: number;
  /** epoch seconds, sandbox clock */
  reset: number;
}

export interface WindowView {
  limit: number;
  remaining: number;
  reset: number;
}

export interface LimitResult {
  ok: boolean;
  headers: Record<string, string>;
}

function view(spec: WindowSpec, st: WindowState | undefined, nowS: number): WindowView {
  if (!st || nowS >= st.reset) return { limit: spec.limit, remaining: spec.limit, reset: nowS + spec.seconds };
  return { limit: spec.limit, remaining: Math.max(0, spec.limit - st.used), reset: st.reset };
}

export class Limiter {
  private windows = new Map<string, WindowState>();

  constructor(public tier: Tier) {}

  /** Whether the current tier has the endpoint at all. */
  enrolled(route: string): boolean {
    return LIMITS[route]?.[this.tier] !== null;
  }

  /**
   * Checks every window of the endpoint; consumes one call from each only if all have budget.
   * `asApp`: an app-only (bearer) call, counted in the app's window instead of a user's.
   */
  take(route: string, userId: string, nowMs: number, asApp = false): LimitResult {
    const spec = LIMITS[route]?.[this.tier];
    const first = asApp ? spec?.bearer : spec?.user;
    if (!spec || !first) return { ok: true, headers: {} };
    const nowS = Math.floor(nowMs / 1000);
    const parts: Array<[string, WindowSpec]> = [[asApp ? `${route}|b` : `${route}|u|${userId}`, first]];
    if (!asApp && spec.userDay) parts.push([`${route}|d|${userId}`, spec.userDay]);
    if (!asApp && spec.app) parts.push([`${route}|a`, spec.app]);
    const views = parts.map(([key, s]) => view(s, this.windows.get(key), nowS));
    const ok = views.every((v) => v.remaining > 0);
    if (ok) {
      parts.forEach(([key, s], i) => {
        const st = this.windows.get(key);
        if (!st || nowS >= st.reset) this.windows.set(key, { used: 1, reset: nowS + s.seconds });
        else st.used++;
        views[i]!.remaining--;
      });
    }
    const headers: Record<string, string> = {};
    const [u] = views;
    put(headers, 'x-rate-limit', u!);
    if (route === 'POST /2/tweets') {
      const day = spec.userDay ? views[1]! : u!;
      put(headers, 'x-user-limit-24hour', day);
      put(headers, 'x-app-limit-24hour', views[views.length - 1]!);
    }
    return { ok, headers };
  }

  /** The state of one window without consuming it (for /sandbox/limits and tests). */
  peek(route: string, userId: string, nowMs: number): WindowView | undefined {
    const spec = LIMITS[route]?.[this.tier];
    if (!spec?.user) return undefined;
    return view(spec.user, this.windows.get(`${route}|u|${userId}`), Math.floor(nowMs / 1000));
  }

  reset(): void {
    this.windows.clear();
  }
}

function put(h: Record<string, string>, prefix: string, v: WindowView): void {
  h[`${prefix}-limit`] = String(v.limit);
  h[`${prefix}-remaining`] = String(v.remaining);
  h[`${prefix}-reset`] = String(v.reset);
}
