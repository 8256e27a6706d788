/**
 * Reading X's rate-limit state from a response (or an error), so the farm can skip a call whose
 * budget is spent instead of spending a request to learn it. Resets are returned in ms epoch.
 */
import type { TwitterRateLimit } from 'twitter-api-v2';

export interface Window {
  limit: number;
  remaining: number;
  /** ms since the epoch */
  resetAt: number;
}

export interface RateState {
  /** x-rate-limit-*: the endpoint's window */
  window: Window;
  /** x-user-limit-24hour-* (posting) */
  userDay?: Window;
  /** x-app-limit-24hour-* (posting) */
  appDay?: Window;
}

type Headers = Record<string, string | string[] | undefined>;

function num(h: Headers, name: string): number | undefined {
  const v = h[name];
  const s = Array.isArray(v) ? v[0] : v;
  if (s === undefined || s === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

function windowFrom(h: Headers, prefix: string): Window | undefined {
  const limit = num(h, `${prefix}-limit`);
  const remaining = num(h, `${prefix}-remaining`);
  const reset = num(h, `${prefix}-reset`);
  if (limit === undefined || remaining === undefined || reset === undefined) return undefined;
  return { limit, remaining, resetAt: reset * 1000 };
}

/** From raw response headers (names lower-case, as node gives them). */
export function rateStateFromHeaders(headers: Headers): RateState | undefined {
  const window = windowFrom(headers, 'x-rate-limit');
  if (!window) return undefined;
  const out: RateState = { window };
  const userDay = windowFrom(headers, 'x-user-limit-24hour');
  const appDay = windowFrom(headers, 'x-app-limit-24hour');
  if (userDay) out.userDay = userDay;
  if (appDay) out.appDay = appDay;
  return out;
}

/** From twitter-api-v2's parsed `rateLimit` (on a fullResponse result or an ApiResponseError). */
export function rateStateFromLimit(rl: TwitterRateLimit | undefined): RateState | undefined {
  if (!rl || !Number.isFinite(rl.limit)) return undefined;
  const w = (x: { limit: number; remaining: number; reset: number }): Window => ({
    limit: x.limit,
    remaining: x.remaining,
    resetAt: x.reset * 1000,
  });
  const out: RateState = { window: w(rl) };
  if (rl.userDay) out.userDay = w(rl.userDay);
  if (rl.day) out.appDay = w(rl.day);
  return out;
}

/**
 * When the next call may be made: 0 if some budget is left, else the latest reset among the
 * exhausted windows (a spent 24-hour window outlasts a fresh 15-minute one).
 */
export function blockedUntil(state: RateState | undefined, nowMs = Date.now()): number {
  if (!state) return 0;
  let until = 0;
  for (const w of [state.window, state.userDay, state.appDay]) {
    if (w && w.remaining <= 0 && w.resetAt > nowMs) until = Math.max(until, w.resetAt);
  }
  return until;
}
