import { formatDuration } from './values.js';
import { redact, type Backlog, type Bot, type BotSummary } from './bot.js';

/** A bot as operators see it (list, show, stats): plain data, secrets redacted, times as ISO strings. */
export interface BotView {
  name: string;
  role: string;
  reader: string | null;
  status: 'paused' | 'failing' | 'due' | 'waiting';
  every: string;
  next_due_at: string | null;
  last_tick_at: string | null;
  cached: number | null;
  unprocessed: number | null;
  posted: number;
  errors: number;
  last_error: string | null;
}

export function statusOf(bot: Pick<BotSummary, 'paused' | 'failing' | 'nextDueAt'>, now = Date.now()): BotView['status'] {
  if (bot.paused) return 'paused';
  if (bot.failing) return 'failing';
  return bot.nextDueAt <= now ? 'due' : 'waiting';
}

/** Epoch milliseconds as an ISO string, or null when unset. */
export const isoTime = (t: number | undefined): string | null => (t ? new Date(t).toISOString() : null);

export function botView(bot: BotSummary, now = Date.now()): BotView {
  const { backlog } = bot;
  return {
    name: bot.name,
    role: bot.role,
    reader: bot.reader ?? null,
    status: statusOf(bot, now),
    every: formatDuration(bot.every),
    next_due_at: isoTime(bot.nextDueAt),
    last_tick_at: isoTime(bot.lastTickAt),
    cached: bot.role === 'reader' ? backlog.cached ?? 0 : null,
    unprocessed: bot.role === 'writer' ? backlog.unprocessed ?? 0 : null,
    posted: bot.counters.posted ?? 0,
    errors: bot.counters.errors ?? 0,
    last_error: bot.lastError ?? null,
  };
}

/** Everything `show` prints: the view plus every setting and counter, secrets as "set"/"missing". */
export function botDetail(bot: Bot, backlog: Backlog, now = Date.now()) {
  const { createdAt, lastTickAt, nextDueAt, lastError, ...rest } = redact(bot);
  return {
    ...botView({ ...bot, backlog }, now),
    ...rest,
    every: formatDuration(bot.every),
    created_at: isoTime(createdAt),
    last_tick_at: isoTime(lastTickAt),
    next_due_at: isoTime(nextDueAt),
    last_error: lastError ?? null,
  };
}
