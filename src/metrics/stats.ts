import type { Farm } from '../farm/farm.js';
import { isoTime, statusOf } from '../bots/view.js';
import { hourOf } from '../store/posts.js';

/** How many hourly buckets stats reports: the current UTC hour and the 23 before it. */
export const HOURS = 24;

/** One bot's figures, plain data: what `stats --json` prints and what goes to InfluxDB. */
export interface BotStats {
  name: string;
  role: string;
  reader: string | null;
  status: 'paused' | 'failing' | 'due' | 'waiting';
  /** A reader's cached tweets; null for writers. */
  cached: number | null;
  /** A writer's unprocessed tweets; null for readers. */
  unprocessed: number | null;
  /** cached or unprocessed, whichever the role has: one number per bot for charts. */
  backlog: number;
  posted: number;
  posted_24h: number;
  errors: number;
  rate_limited: number;
  fetched: number;
  ticks: number;
  skipped: number;
  duplicates: number;
  last_tick_at: string | null;
  next_due_at: string | null;
  /** Latest rate-limit pause still running (ISO), or null. */
  paused_until: string | null;
  /** Posts per UTC hour, oldest first, aligned with FarmStats.hours. */
  posts_hourly: number[];
}

export interface FarmStats {
  at: string;
  prefix: string;
  /** Start of each hourly bucket (ISO), oldest first; the last one is the current hour. */
  hours: string[];
  totals: {
    bots: number;
    readers: number;
    writers: number;
    cached: number;
    unprocessed: number;
    posted: number;
    posted_24h: number;
    errors: number;
    rate_limited: number;
    posts_hourly: number[];
  };
  bots: BotStats[];
}


/**
 * Collects every bot's figures in two round trips whatever the farm's size (bots with their
 * backlogs, then the hourly post counts), so `stats --json` stays quick for a thousand bots.
 */
export async function collectStats(farm: Farm, now = Date.now()): Promise<FarmStats> {
  const bots = await farm.store.overview(undefined, { pauses: true });

  const currentHour = Number(hourOf(now));
  const hourFields = Array.from({ length: HOURS }, (_, i) => String(currentHour - (HOURS - 1) + i));
  const hourly = new Map<string, number[]>();
  if (bots.length > 0) {
    const pipe = farm.redis.pipeline();
    for (const b of bots) pipe.hmget(farm.store.keys.hourly(b.name), ...hourFields);
    const replies = (await pipe.exec()) ?? [];
    replies.forEach(([err, values], i) => {
      if (err) throw err;
      hourly.set(bots[i]!.name, (values as Array<string | null>).map((v) => Number(v ?? 0)));
    });
  }

  const rows: BotStats[] = bots.map((bot) => {
    const cached = bot.role === 'reader' ? bot.backlog.cached ?? 0 : null;
    const unprocessed = bot.role === 'writer' ? bot.backlog.unprocessed ?? 0 : null;
    const series = hourly.get(bot.name) ?? new Array<number>(HOURS).fill(0);
    const pauseEnd = Math.max(0, ...Object.values(bot.pauses ?? {}));
    const c = bot.counters;
    return {
      name: bot.name,
      role: bot.role,
      reader: bot.reader ?? null,
      status: statusOf(bot, now),
      cached,
      unprocessed,
      backlog: cached ?? unprocessed ?? 0,
      posted: c.posted ?? 0,
      posted_24h: series.reduce((a, b) => a + b, 0),
      errors: c.errors ?? 0,
      rate_limited: c.rate_limited ?? 0,
      fetched: c.fetched ?? 0,
      ticks: c.ticks ?? 0,
      skipped: c.skipped ?? 0,
      duplicates: c.duplicates ?? 0,
      last_tick_at: isoTime(bot.lastTickAt),
      next_due_at: isoTime(bot.nextDueAt),
      paused_until: pauseEnd > now ? isoTime(pauseEnd) : null,
      posts_hourly: series,
    };
  });

  const sum = (pick: (b: BotStats) => number | null) => rows.reduce((a, b) => a + (pick(b) ?? 0), 0);
  return {
    at: new Date(now).toISOString(),
    prefix: farm.config.prefix,
    hours: hourFields.map((h) => new Date(Number(h) * 3_600_000).toISOString()),
    totals: {
      bots: rows.length,
      readers: rows.filter((b) => b.role === 'reader').length,
      writers: rows.filter((b) => b.role === 'writer').length,
      cached: sum((b) => b.cached),
      unprocessed: sum((b) => b.unprocessed),
      posted: sum((b) => b.posted),
      posted_24h: sum((b) => b.posted_24h),
      errors: sum((b) => b.errors),
      rate_limited: sum((b) => b.rate_limited),
      posts_hourly: hourFields.map((_, i) => sum((b) => b.posts_hourly[i]!)),
    },
    bots: rows,
  };
}
