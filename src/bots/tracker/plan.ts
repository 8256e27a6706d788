import type { RateWindow } from './store.js';

export const MINUTE = 60_000;
/** An account's timeline is asked for new tweets at most this often. */
export const REFRESH_MS = 5 * MINUTE;
/** Snapshots are kept this much longer than --keep, so a window of --keep always has its first minute. */
export const MARGIN_MS = 5 * MINUTE;
/** Ids per tweet lookup: X's maximum. */
export const BATCH = 100;
/** X's rate-limit windows for lookups are 15 minutes. */
const WINDOW_MINUTES = 15;

/** The endpoints a tracker calls, named as the sandbox counts them and as its pauses are keyed. */
export const LOOKUP = 'GET /2/tweets';
export const USER_TWEETS = 'GET /2/users/:id/tweets';
export const USERS_BY = 'GET /2/users/by';
export const USERS_BY_ID = 'GET /2/users';

/**
 * Lookup requests one tick may send: the limit's share of one minute (Pro: 900 per 15 min → 60; Basic:
 * 15 → 1), at least one. Before X has reported the limit, one: the first answer tells.
 */
export function batchesPerMinute(w: RateWindow | undefined): number {
  if (!w) return 1;
  return Math.max(1, Math.floor(w.limit / WINDOW_MINUTES));
}

export function windowOf(cursor: Record<string, string>, endpoint: string): RateWindow | undefined {
  const v = cursor[`limit:${endpoint}`];
  return v ? (JSON.parse(v) as RateWindow) : undefined;
}

export interface CostEstimate {
  tracked: number;
  batches: number;
  /** Lookups the limit allows per minute (null until X has answered one). */
  per_minute: number | null;
  /** Minutes one round over all batches takes: 1 unless spread. */
  minutes_per_round: number;
  lookups_per_day: number;
  timeline_requests_per_day: number;
  /** X bills a post read once per UTC day: each tracked tweet once, whatever the number of lookups. */
  reads_per_day: number;
}

/** What a tracker costs per day at its current size, ticking every `every` seconds. */
export function estimate(tracked: number, users: number, every: number, lookup: RateWindow | undefined): CostEstimate {
  const batches = Math.ceil(tracked / BATCH);
  const perMinute = lookup ? batchesPerMinute(lookup) : null;
  const ticksPerDay = Math.floor(86_400 / Math.max(every, 60));
  const perTick = Math.min(batches, perMinute ?? batches);
  const refreshS = Math.max(every, REFRESH_MS / 1000);
  return {
    tracked,
    batches,
    per_minute: perMinute,
    minutes_per_round: perTick > 0 ? Math.ceil(batches / perTick) : 0,
    lookups_per_day: perTick * ticksPerDay,
    timeline_requests_per_day: users * Math.floor(86_400 / refreshS),
    reads_per_day: tracked,
  };
}

/** Numeric order of tweet ids (snowflakes), as strings of possibly different lengths. */
export function byId(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
