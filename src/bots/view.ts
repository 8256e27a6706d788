import { formatDuration } from './values.js';
import { redact, type Bot, type BotSummary } from './bot.js';
import { settingsView } from './configure.js';
import { BACKLOG_LABELS, kindOf } from './index.js';

/**
 * A bot as operators see it (list, show, create, set, stats): plain data, secrets redacted. This file is
 * the one place a bot becomes JSON, by the convention of every --json (README, "Machine output"):
 * snake_case keys, times as ISO-8601 strings (`*_at`, null when unset), durations as written ("2h")
 * with their seconds beside them (`every_s`).
 */
export interface BotView {
  name: string;
  role: string;
  reader: string | null;
  status: 'paused' | 'failing' | 'due' | 'waiting';
  every: string;
  every_s: number;
  next_due_at: string | null;
  last_tick_at: string | null;
  /** One key per backlog label of the registry (cached, unprocessed…): the bot's own kind's is a number, the others null. */
  [backlog: string]: unknown;
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

/** The name of the work waiting behind a bot of this role ("cached", "unprocessed"). */
export const backlogLabel = (role: string): string => kindOf(role)?.backlog.label ?? 'backlog';

/** "writer<r1" for a consumer, the role otherwise: how tables show a bot's kind. */
export const roleLabel = (bot: Pick<BotSummary, 'role' | 'source'>): string => (bot.source ? `${bot.role}<${bot.source}` : bot.role);

export function botView(bot: BotSummary, now = Date.now()): BotView {
  const label = backlogLabel(bot.role);
  const view: BotView = {
    name: bot.name,
    role: bot.role,
    // `reader` is the key JSON has always used for a consumer's source.
    reader: bot.source ?? null,
    status: statusOf(bot, now),
    every: formatDuration(bot.every),
    every_s: bot.every,
    next_due_at: isoTime(bot.nextDueAt),
    last_tick_at: isoTime(bot.lastTickAt),
  } as BotView;
  for (const l of BACKLOG_LABELS) view[l] = l === label ? bot.backlog : null;
  view.posted = bot.counters.posted ?? 0;
  view.errors = bot.counters.errors ?? 0;
  view.last_error = bot.lastError ?? null;
  return view;
}

/**
 * Everything `show` prints of any bot, and what create and set print: the list's view plus every
 * setting, counter and piece of state, secrets as "set"/"missing". Every field is always there (null
 * when unset), so a bot has one shape whatever it has been through.
 */
export function botDetail(bot: Bot, backlog: number, now = Date.now()) {
  const { token, secret } = redact(bot);
  const pauses: Record<string, string | null> = {};
  for (const [endpoint, until] of Object.entries(bot.pauses)) pauses[endpoint] = isoTime(until);
  return {
    ...botView({ ...bot, backlog }, now),
    paused: bot.paused,
    failing: bot.failing,
    retries: bot.retries ?? 0,
    token,
    secret,
    user_id: bot.userId ?? null,
    username: bot.username ?? null,
    since_id: bot.sinceId ?? null,
    created_at: isoTime(bot.createdAt),
    counters: { ...bot.counters },
    pauses,
    ...settingsView(kindOf(bot.role), bot),
  };
}
