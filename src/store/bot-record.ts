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
/** Counters every bot keeps in its hash. Listings read these by name: a new kind's counter joins them here. */
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
export type BotSummary = Pick<Bot, 'name' | 'role' | 'reader' | 'every' | 'paused' | 'failing' | 'nextDueAt' | 'lastTickAt' | 'lastError' | 'counters'> & {
  backlog: Backlog;
  /** Only when the listing asked for them (stats does; list does not). */
  pauses?: Record<string, number>;
};

/** The hash fields a BotSummary is made from, in the order list-bots.lua returns them: settings, then counters. */
export const SUMMARY_FIELDS = [F.role, F.reader, F.every, F.paused, F.failing, F.nextDueAt, F.lastTickAt, F.lastError, ...COUNTERS.map((c) => `${COUNTER_PREFIX}${c}`)];
const FIRST_COUNTER = SUMMARY_FIELDS.length - COUNTERS.length;

/** What list-bots.lua returns: names, each bot's SUMMARY_FIELDS values (false when unset), backlogs, pauses. */
export type SummaryColumns = [names: string[], rows: Array<Array<string | false>>, backlogs: number[], pauses: Array<Record<string, number>> | false];

/** Reads a summary back from its values (in SUMMARY_FIELDS order), with the same defaults as botFromHash. */
export function summaryFromRow(name: string, r: Array<string | false>, backlog: number, pauses?: Record<string, number>): BotSummary {
  // A cold `tfctl list` runs this a thousand times in the interpreter: plain indexes and loops.
  const role = (r[0] || 'reader') as Role;
  const counters: Record<string, number> = {};
  for (let i = 0; i < COUNTERS.length; i++) counters[COUNTERS[i]!] = Number(r[FIRST_COUNTER + i] || 0);
  const bot: BotSummary = {
    name,
    role,
    every: r[2] ? Number(r[2]) : DEFAULTS.every,
    paused: r[3] === '1',
    failing: r[4] === '1',
    nextDueAt: r[5] ? Number(r[5]) : 0,
    counters,
    backlog: role === 'reader' ? { cached: backlog } : { unprocessed: backlog },
  };
  if (role === 'writer' && r[1]) bot.reader = r[1];
  if (r[6]) bot.lastTickAt = Number(r[6]);
  if (r[7]) bot.lastError = r[7];
  if (pauses) bot.pauses = pauses;
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
  // A tick maps every bot of the farm through here, often in a fresh process: no per-field arrays or strings.
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
