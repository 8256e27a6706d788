/**
 * Rate-limit windows per tier, from the published X table (shared/xapi/RATE-LIMITS.md). Each
 * endpoint has a per-user window (what `x-rate-limit-*` reports) and, for posting, a 24-hour per-app
 * window and a 24-hour per-user window (`x-app-limit-24hour-*`, `x-user-limit-24hour-*`).
 * Windows are fixed, start at the first call and run on the sandbox clock, so /sandbox/clock can
 * jump past a reset. A refused call (429) does not consume budget.
 */
import type { Tier } from './state.js';

const MIN15 = 900;
const DAY = 86_400;

export interface WindowSpec {
  limit: number;
  seconds: number;
}

export interface EndpointLimits {
  user: WindowSpec;
  /** 24 h per-user posting cap when `user` is a shorter window (pro) */
  userDay?: WindowSpec;
  app?: WindowSpec;
}

const w = (limit: number, seconds: number): WindowSpec => ({ limit, seconds });
const per15 = (free: number, basic: number, pro: number): Record<Tier, EndpointLimits> => ({
  free: { user: w(free, MIN15) },
  basic: { user: w(basic, MIN15) },
  pro: { user: w(pro, MIN15) },
});

/** Keyed by the same "METHOD /template" string as /sandbox/requests. */
export const LIMITS: Record<string, Record<Tier, EndpointLimits>> = {
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
  'GET /2/tweets': per15(1, 15, 900),
  'GET /2/tweets/:id': per15(1, 15, 900),
  'GET /2/tweets/search/recent': per15(1, 60, 300),
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

  /** Checks every window of the endpoint; consumes one call from each only if all have budget. */
  take(route: string, userId: string, nowMs: number): LimitResult {
    const spec = LIMITS[route]?.[this.tier];
    if (!spec) return { ok: true, headers: {} };
    const nowS = Math.floor(nowMs / 1000);
    const parts: Array<[string, WindowSpec]> = [[`${route}|u|${userId}`, spec.user]];
    if (spec.userDay) parts.push([`${route}|d|${userId}`, spec.userDay]);
    if (spec.app) parts.push([`${route}|a`, spec.app]);
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
    if (!spec) return undefined;
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
