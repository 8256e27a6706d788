/**
 * A bot as it is kept in Redis: the fields every bot has, the hash field names, and the mapping both
 * ways. What a kind adds (its own settings, how its backlog is counted, which kinds are sources) comes
 * from the kinds' registry through a KindCodec, so this layer never names a kind.
 */

/** A bot's kind, as stored in its hash (`role`). The registry in src/bots/index.ts lists them. */
export type Role = string;

/** What an operator sets on every bot. Durations are seconds. */
export interface BotSettings {
  name: string;
  role: Role;
  every: number;
  paused: boolean;
  /** A consumer's source: the bot whose stream it reads through its own consumer group. */
  source?: string;
  token?: string;
  secret?: string;
  /** The kind's own settings, decoded by its schema, by setting property (e.g. perTick). */
  settings: Record<string, unknown>;
}

/** What the farm records as a bot runs. Times are epoch milliseconds. */
export interface BotState {
  createdAt: number;
  lastTickAt?: number;
  nextDueAt: number;
  lastError?: string;
  failing: boolean;
  /** Transient failures in a row (5xx, timeouts, refused connections): how long the next backoff is. */
  retries?: number;
  userId?: string;
  username?: string;
  sinceId?: string;
  counters: Record<string, number>;
  /** Rate-limit pauses by endpoint: no call to it before this time (epoch ms). */
  pauses: Record<string, number>;
}

export interface Bot extends BotSettings, BotState {}

export const DEFAULTS = { every: 3600 } as const;
/** Counters every bot keeps in its hash. Listings read these by name: a new kind's counter joins them here. */
export const COUNTERS = ['ticks', 'posted', 'fetched', 'errors', 'rate_limited', 'skipped', 'duplicates'] as const;

/** Hash field names of what every bot has, in one place. A kind's own fields are named by its schema. */
export const F = {
  role: 'role',
  // Named `reader` since farms were made when readers were the only source; kept so existing farms
  // and archives read the same.
  source: 'reader',
  every: 'every_s',
  paused: 'paused',
  token: 'token',
  secret: 'secret',
  createdAt: 'created_at',
  lastTickAt: 'last_tick_at',
  nextDueAt: 'next_due_at',
  lastError: 'last_error',
  failing: 'failing',
  retries: 'retries',
  userId: 'user_id',
  username: 'username',
  sinceId: 'since_id',
} as const;

/** Hash fields `rl:<endpoint>` hold rate-limit pauses; `n_<counter>` hold counters. */
export const PAUSE_PREFIX = 'rl:';
export const COUNTER_PREFIX = 'n_';

/**
 * How listings (bot-summary.lua) measure the work waiting behind a bot of one kind:
 * - `stream`: the entries of its own source stream (a source's cached tweets);
 * - `group`: its consumer group's lag plus what it holds pending, on its source's stream;
 * - `llen`, `zcard`, `scard`, `hlen`: the size of one of its own keys, named by suffix (see Keys.own);
 * - `none`: nothing waits.
 */
export type BacklogSpec = { of: 'stream' } | { of: 'group' } | { of: 'llen' | 'zcard' | 'scard' | 'hlen'; key: string } | { of: 'none' };

/** What the store needs to know of the kinds, supplied by the registry (src/bots/index.ts). */
export interface KindCodec {
  /** Decodes a kind's own settings from its bot's hash. */
  settings(role: Role, h: Record<string, string>): Record<string, unknown>;
  /** Each kind's backlog, by role. */
  backlogs: Record<Role, BacklogSpec>;
  /** The kinds whose bots are sources (a consumer must name one of these). */
  sources: readonly Role[];
}

/** Without the registry (tests of the store alone): a kind's fields come back as the strings stored. */
export const RAW_CODEC: KindCodec = {
  settings(_role, h) {
    const out: Record<string, unknown> = {};
    for (const k in h) if (!COMMON_FIELDS.has(k) && !k.startsWith(COUNTER_PREFIX) && !k.startsWith(PAUSE_PREFIX)) out[k] = h[k];
    return out;
  },
  backlogs: {},
  sources: [],
};
const COMMON_FIELDS = new Set<string>(Object.values(F));

/** What listings (list, stats) show of a bot: no secrets, no kind settings, no account details; its backlog. */
export type BotSummary = Pick<Bot, 'name' | 'role' | 'source' | 'every' | 'paused' | 'failing' | 'nextDueAt' | 'lastTickAt' | 'lastError' | 'counters'> & {
  /** The work waiting behind it, counted the way its kind declares (KindCodec.backlogs). */
  backlog: number;
  /** Only when the listing asked for them (stats does; list does not). */
  pauses?: Record<string, number>;
};

/** The hash fields a BotSummary is made from, in the order bot-summary.lua returns them: settings, then counters. */
export const SUMMARY_FIELDS = [F.role, F.source, F.every, F.paused, F.failing, F.nextDueAt, F.lastTickAt, F.lastError, ...COUNTERS.map((c) => `${COUNTER_PREFIX}${c}`)];
const FIRST_COUNTER = SUMMARY_FIELDS.length - COUNTERS.length;

/** Reads a summary back from its values (in SUMMARY_FIELDS order), with the same defaults as botFromHash. */
export function summaryFromRow(name: string, r: Array<string | false>, backlog: number, pauses?: Record<string, number>): BotSummary {
  // A cold `tfctl list` runs this a thousand times in the interpreter: plain indexes and loops.
  const counters: Record<string, number> = {};
  for (let i = 0; i < COUNTERS.length; i++) counters[COUNTERS[i]!] = Number(r[FIRST_COUNTER + i] || 0);
  const bot: BotSummary = {
    name,
    role: r[0] || '',
    every: r[2] ? Number(r[2]) : DEFAULTS.every,
    paused: r[3] === '1',
    failing: r[4] === '1',
    nextDueAt: r[5] ? Number(r[5]) : 0,
    counters,
    backlog,
  };
  if (r[1]) bot.source = r[1];
  if (r[6]) bot.lastTickAt = Number(r[6]);
  if (r[7]) bot.lastError = r[7];
  if (pauses) bot.pauses = pauses;
  return bot;
}

/** The common settings as hash fields (strings), leaving out what is unset. A kind's own fields are added by its schema. */
export function commonToHash(s: Partial<Omit<BotSettings, 'settings'>>): Record<string, string> {
  const h: Record<string, string> = {};
  if (s.role !== undefined) h[F.role] = s.role;
  if (s.source !== undefined) h[F.source] = s.source;
  if (s.every !== undefined) h[F.every] = String(s.every);
  if (s.paused !== undefined) h[F.paused] = s.paused ? '1' : '0';
  if (s.token !== undefined) h[F.token] = s.token;
  if (s.secret !== undefined) h[F.secret] = s.secret;
  return h;
}

const num = (v: string | undefined): number | undefined => (v === undefined || v === '' ? undefined : Number(v));

/** Reads a bot back from its hash; its kind's settings through the codec. */
export function botFromHash(name: string, h: Record<string, string>, codec: KindCodec = RAW_CODEC): Bot {
  // A tick maps every bot of the farm through here, often in a fresh process: no per-field arrays or strings.
  const counters: Record<string, number> = {};
  for (const c of COUNTERS) counters[c] = 0;
  const pauses: Record<string, number> = {};
  for (const k in h) {
    if (k.startsWith(COUNTER_PREFIX)) counters[k.slice(COUNTER_PREFIX.length)] = Number(h[k]);
    else if (k.startsWith(PAUSE_PREFIX)) pauses[k.slice(PAUSE_PREFIX.length)] = Number(h[k]);
  }
  const role = h[F.role] ?? '';
  const bot: Bot = {
    name,
    role,
    every: Number(h[F.every] ?? DEFAULTS.every),
    paused: h[F.paused] === '1',
    settings: codec.settings(role, h),
    createdAt: Number(h[F.createdAt] ?? 0),
    nextDueAt: Number(h[F.nextDueAt] ?? 0),
    failing: h[F.failing] === '1',
    counters,
    pauses,
  };
  if (h[F.source]) bot.source = h[F.source];
  if (h[F.token]) bot.token = h[F.token];
  if (h[F.secret]) bot.secret = h[F.secret];
  const lastTickAt = num(h[F.lastTickAt]);
  if (lastTickAt !== undefined) bot.lastTickAt = lastTickAt;
  if (h[F.lastError]) bot.lastError = h[F.lastError];
  if (h[F.retries]) bot.retries = Number(h[F.retries]);
  if (h[F.userId]) bot.userId = h[F.userId];
  if (h[F.username]) bot.username = h[F.username];
  if (h[F.sinceId]) bot.sinceId = h[F.sinceId];
  return bot;
}
