/**
 * A bot as it is kept in Redis: its settings and state, the hash field names, and the mapping both ways.
 * The store owns this encoding; the farm adds the rules (names, limits) on top.
 */
export const ROLES = ['reader', 'writer'] as const;
export type Role = (typeof ROLES)[number];

/** What an operator sets. Durations are seconds. */
export interface BotSettings {
  name: string;
  role: Role;
  every: number;
  paused: boolean;
  /** Writers only. */
  reader?: string;
  template?: string;
  perTick?: number;
  grab?: number;
  token?: string;
  secret?: string;
}

/** What the farm records as a bot runs. Times are epoch milliseconds. */
export interface BotState {
  createdAt: number;
  lastTickAt?: number;
  nextDueAt: number;
  lastError?: string;
  failing: boolean;
  userId?: string;
  username?: string;
  sinceId?: string;
  counters: Record<string, number>;
  /** Rate-limit pauses by endpoint: no call to it before this time (epoch ms). */
  pauses: Record<string, number>;
}

export interface Bot extends BotSettings, BotState {}

export const DEFAULTS = { every: 3600, perTick: 1, grab: 3 } as const;
/** Counters every bot keeps in its hash; others may appear as bot kinds grow. */
export const COUNTERS = ['ticks', 'posted', 'fetched', 'errors', 'rate_limited', 'skipped', 'duplicates'] as const;

/** Hash field names of the settings and state, in one place. */
export const F = {
  role: 'role',
  reader: 'reader',
  template: 'template',
  every: 'every_s',
  perTick: 'per_tick',
  grab: 'grab',
  paused: 'paused',
  token: 'token',
  secret: 'secret',
  createdAt: 'created_at',
  lastTickAt: 'last_tick_at',
  nextDueAt: 'next_due_at',
  lastError: 'last_error',
  failing: 'failing',
  userId: 'user_id',
  username: 'username',
  sinceId: 'since_id',
} as const;

/** Hash fields `rl:<endpoint>` hold rate-limit pauses; `n_<counter>` hold counters. */
export const PAUSE_PREFIX = 'rl:';
export const COUNTER_PREFIX = 'n_';

/** How much work waits behind a bot: a reader's cached tweets, a writer's unprocessed ones. */
export interface Backlog {
  cached?: number;
  unprocessed?: number;
}

/** What listings (list, stats) show of a bot: no secrets, no template, no account details; its backlog. */
export type BotSummary = Pick<Bot, 'name' | 'role' | 'reader' | 'every' | 'paused' | 'failing' | 'nextDueAt' | 'lastTickAt' | 'lastError' | 'counters' | 'pauses'> & {
  backlog: Backlog;
};

/** The hash fields a BotSummary is made from, in the order list-bots.lua returns them. */
export const SUMMARY_FIELDS = [F.role, F.reader, F.every, F.paused, F.failing, F.nextDueAt, F.lastTickAt, F.lastError] as const;
/** The field prefixes it keeps too, each as one object of numbers: counters, then pauses. */
export const SUMMARY_PREFIXES = [COUNTER_PREFIX, PAUSE_PREFIX] as const;

/** A bot as list-bots.lua returns it: name, backlog, the SUMMARY_FIELDS (false when unset), counters, pauses. */
export type SummaryRow = [
  name: string,
  backlog: number,
  role: string | false,
  reader: string | false,
  every: string | false,
  paused: string | false,
  failing: string | false,
  nextDueAt: string | false,
  lastTickAt: string | false,
  lastError: string | false,
  counters: Record<string, number>,
  pauses: Record<string, number>,
];

/** Reads a summary back from its row, with the same defaults as botFromHash. */
export function summaryFromRow(r: SummaryRow): BotSummary {
  // Indexes, not destructuring: a cold `tfctl list` runs this a thousand times in the interpreter,
  // where an array pattern walks an iterator.
  const role = (r[2] || 'reader') as Role;
  const bot: BotSummary = {
    name: r[0],
    role,
    every: r[4] ? Number(r[4]) : DEFAULTS.every,
    paused: r[5] === '1',
    failing: r[6] === '1',
    nextDueAt: r[7] ? Number(r[7]) : 0,
    counters: r[10],
    pauses: r[11],
    backlog: role === 'reader' ? { cached: r[1] } : { unprocessed: r[1] },
  };
  if (role === 'writer' && r[3]) bot.reader = r[3];
  if (r[8]) bot.lastTickAt = Number(r[8]);
  if (r[9]) bot.lastError = r[9];
  return bot;
}

/** Turns settings into hash fields (strings), leaving out what is unset. */
export function settingsToHash(s: Partial<BotSettings>): Record<string, string> {
  const h: Record<string, string> = {};
  if (s.role !== undefined) h[F.role] = s.role;
  if (s.reader !== undefined) h[F.reader] = s.reader;
  if (s.template !== undefined) h[F.template] = s.template;
  if (s.every !== undefined) h[F.every] = String(s.every);
  if (s.perTick !== undefined) h[F.perTick] = String(s.perTick);
  if (s.grab !== undefined) h[F.grab] = String(s.grab);
  if (s.paused !== undefined) h[F.paused] = s.paused ? '1' : '0';
  if (s.token !== undefined) h[F.token] = s.token;
  if (s.secret !== undefined) h[F.secret] = s.secret;
  return h;
}

const num = (v: string | undefined): number | undefined => (v === undefined || v === '' ? undefined : Number(v));

/** Reads a bot back from its hash. */
export function botFromHash(name: string, h: Record<string, string>): Bot {
  // `tfctl list` maps every bot through here in a fresh process: no per-field arrays or strings.
  const counters: Record<string, number> = {};
  for (const c of COUNTERS) counters[c] = 0;
  const pauses: Record<string, number> = {};
  for (const k in h) {
    if (k.startsWith(COUNTER_PREFIX)) counters[k.slice(COUNTER_PREFIX.length)] = Number(h[k]);
    else if (k.startsWith(PAUSE_PREFIX)) pauses[k.slice(PAUSE_PREFIX.length)] = Number(h[k]);
  }
  const role = (h[F.role] ?? 'reader') as Role;
  const bot: Bot = {
    name,
    role,
    every: Number(h[F.every] ?? DEFAULTS.every),
    paused: h[F.paused] === '1',
    createdAt: Number(h[F.createdAt] ?? 0),
    nextDueAt: Number(h[F.nextDueAt] ?? 0),
    failing: h[F.failing] === '1',
    counters,
    pauses,
  };
  if (role === 'writer') {
    bot.reader = h[F.reader];
    bot.template = h[F.template];
    bot.perTick = Number(h[F.perTick] ?? DEFAULTS.perTick);
    bot.grab = Number(h[F.grab] ?? DEFAULTS.grab);
  }
  if (h[F.token]) bot.token = h[F.token];
  if (h[F.secret]) bot.secret = h[F.secret];
  const lastTickAt = num(h[F.lastTickAt]);
  if (lastTickAt !== undefined) bot.lastTickAt = lastTickAt;
  if (h[F.lastError]) bot.lastError = h[F.lastError];
  if (h[F.userId]) bot.userId = h[F.userId];
  if (h[F.username]) bot.username = h[F.username];
  if (h[F.sinceId]) bot.sinceId = h[F.sinceId];
  return bot;
}
