import type { Farm } from '../farm/farm.js';
import { perBot } from '../store/per-bot.js';
import { kindRows } from '../bots/figures.js';
import { BACKLOG_LABELS, KINDS } from '../bots/index.js';
import { backlogLabel, isoTime, statusOf } from '../bots/view.js';
import { hourOf } from '../store/posts.js';

/** How many hourly buckets stats reports: the current UTC hour and the 23 before it. */
export const HOURS = 24;

/** One bot's figures, plain data: what `stats --json` prints and what goes to InfluxDB. */
export interface BotStats {
  name: string;
  role: string;
  reader: string | null;
  status: 'paused' | 'failing' | 'due' | 'waiting';
  /**
   * One key per backlog label of the kinds (a reader's `cached` tweets, a writer's `unprocessed` ones):
   * the bot's own kind's is a number, the others null.
   */
  [backlogLabel: string]: unknown;
  /** The bot's backlog, whatever its kind calls it: one number per bot for charts. */
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
  /** Also one count per kind (`readers`, `writers`…) and one sum per backlog label (`cached`…). */
  totals: {
    [kindOrLabel: string]: number | number[];
    bots: number;
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
export async function collectStats(farm: Farm, now = farm.now(), out: { lines?: Map<string, string> } = {}): Promise<FarmStats> {
  const bots = await farm.store.overview(undefined, { pauses: true });
  // The kinds' own figures (a collector's rule hits and stream heartbeat): one pipeline per kind that has them.
  const extra = await kindRows(bots, { redis: farm.redis, store: farm.store, now: () => now });
  for (const [name, row] of extra) if (row.line) out.lines?.set(name, row.line);

  const currentHour = Number(hourOf(now));
  const hourFields = Array.from({ length: HOURS }, (_, i) => String(currentHour - (HOURS - 1) + i));
  const hourly = new Map<string, number[]>();
  if (bots.length > 0) {
    // Each bot's keys in its own slot: perBot, which a cluster accepts, not one pipeline.
    const replies = await perBot(farm.redis, bots.map((b): [string, ...string[]] => ['HMGET', farm.store.keys.hourly(b.name), ...hourFields]));
    replies.forEach((values, i) => {
      hourly.set(bots[i]!.name, (values as Array<string | null>).map((v) => Number(v ?? 0)));
    });
  }

  const rows: BotStats[] = bots.map((bot) => {
    const label = backlogLabel(bot.role);
    const series = hourly.get(bot.name) ?? new Array<number>(HOURS).fill(0);
    const pauseEnd = Math.max(0, ...Object.values(bot.pauses ?? {}));
    const c = bot.counters;
    const row = {
      name: bot.name,
      role: bot.role,
      // `reader` is the key stats have always used for a consumer's source.
      reader: bot.source ?? null,
      status: statusOf(bot, now),
    } as BotStats;
    for (const l of BACKLOG_LABELS) row[l] = l === label ? bot.backlog : null;
    return Object.assign(row, {
      backlog: bot.backlog,
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
      ...extra.get(bot.name)?.fields,
    });
  });

  const sum = (pick: (b: BotStats) => unknown) => rows.reduce((a, b) => a + (Number(pick(b)) || 0), 0);
  const totals = { bots: rows.length } as FarmStats['totals'];
  for (const k of KINDS) totals[k.plural] = rows.filter((b) => b.role === k.name).length;
  for (const l of BACKLOG_LABELS) totals[l] = sum((b) => b[l]);
  return {
    at: new Date(now).toISOString(),
    prefix: farm.config.prefix,
    hours: hourFields.map((h) => new Date(Number(h) * 3_600_000).toISOString()),
    totals: Object.assign(totals, {
      posted: sum((b) => b.posted),
      posted_24h: sum((b) => b.posted_24h),
      errors: sum((b) => b.errors),
      rate_limited: sum((b) => b.rate_limited),
      posts_hourly: hourFields.map((_, i) => sum((b) => b.posts_hourly[i]!)),
    }),
    bots: rows,
  };
}
