import type { RedisClient } from '../store/client.js';
import type { TwitterApi } from 'twitter-api-v2';
import type { Bot, BacklogSpec } from '../store/bot-record.js';
import type { Keys } from '../store/keys.js';
import type { FarmStore, TickEnd } from '../store/farm-store.js';
import type { Intent, Post, Posts } from '../store/posts.js';
import type { TickLedger } from '../store/tick-steps.js';
import type { Timeline } from '../store/timeline.js';
import type { Events, NewEvent } from '../events/index.js';
import type { RuleLimits } from './rules.js';
import type { Setting } from './settings.js';
import { UsageError } from '../errors.js';

/** What every bot kind gets for one tick: the stores, an X client for a bot, the clock and shared caches. */
export interface TickEnv {
  keys: Keys;
  store: FarmStore;
  timeline: Timeline;
  posts: Posts;
  /** The farm's events (src/events): generic tick code emits failures and recoveries, kinds what they did. Absent in some tests. */
  events?: Events;
  /** An authenticated client for this bot's account (throws a fatal error when tokens are missing). */
  client(bot: Bot): TwitterApi;
  /** The farm's clock (epoch ms): the system's, or the sandbox's with TFCTL_CLOCK=sandbox. */
  now(): number;
  dryRun: boolean;
  /** X user ids of the farm's own accounts: sources skip their tweets (no feedback loops). */
  farmUserIds: Set<string>;
  /** Per-run memo shared by consumers of one source: a tweet is analysed once, not once per consumer. */
  memo: Map<string, unknown>;
  /** How long after it was sent an unanswered request may still land on X (the X timeout and a margin). */
  inFlightMs: number;
  /**
   * Called at named points of a tick, so a fault harness can crash or delay the process exactly there:
   * `before-post` (intent written, X not called), `after-post` (X answered, bookkeeping not done),
   * `before-ack` (a kind's last step before its acknowledgements), `after-record` (bookkeeping written:
   * for a kind that leaves it to the tick's end step, after that step). Absent in normal runs (TFCTL_FAILPOINT=point[:nth] sets one up).
   */
  hook?(point: string, bot: Bot): void | Promise<void>;
}

/**
 * What the generic tick hands a kind besides its bot (src/farm/tick.ts): what was read with the bot's lock,
 * and the ledger whose writes the tick's end step makes (store/tick-steps.ts). Kinds may ignore it.
 */
export interface TickContext {
  /** Intents earlier ticks left open, read under the lock. */
  intents: Intent[];
  /** The kind's own hashes its `start` asked for, by suffix, read under the lock. */
  own: Record<string, Record<string, string>>;
  /** The early read its `start` issued with the lock, for the bot as `listed` (before the lock). */
  early?: Promise<unknown>;
  listed: Bot;
  ledger: TickLedger;
  /** Events of what the tick created, emitted with its end step (after its bookkeeping). */
  events: NewEvent[];
}

export type OutcomeStatus = 'ok' | 'idle' | 'rate_limited' | 'failed';

/**
 * What a bot's tick did. The part the store keeps (errors, pauses, counters, what was learned) is the
 * store's TickEnd without its times; the rest goes to the report.
 */
export interface Outcome extends Omit<TickEnd, 'at' | 'nextDueAt'> {
  status: OutcomeStatus;
  detail: string;
  fetched?: number;
  posts?: Post[];
  /** Texts a --dry-run would have posted. */
  drafts?: string[];
  /** When it is next due, if not `every` after this tick (a tracker: the start of its next minute). */
  dueAt?: number;
  /** The failure may pass by itself (5xx, timeout, refused connection): the tick backs off, not a whole `every`. */
  transient?: boolean;
}

/** One bot's line in a tick's report: its outcome without what only the store needs. */
export type BotReport = { name: string; role: string; status: OutcomeStatus | 'skipped' } & Pick<Outcome, 'detail' | 'fetched' | 'posts' | 'drafts' | 'error'>;

/** source: fills a stream of tweets; consumer: reads one source through its own group; standalone: neither. */
export type Family = 'source' | 'consumer' | 'standalone';

/** What kind-specific commands (show, preview) get: the farm's connection and store. */
export interface KindContext {
  redis: RedisClient;
  store: FarmStore;
  now(): number;
}

/** What `preview` prints: items for --json, and the same as text lines. */
export interface PreviewResult {
  items: object[];
  lines: string[];
}

/**
 * A bot kind: everything about it lives in src/bots/<kind>/ and is listed once in src/bots/index.ts.
 * Generic code (create, set, list, show, stats, InfluxDB, tick, preview, kinds) loops over the registry
 * and asks the kind; it never tests a role by name.
 */
export interface BotKind {
  /** As stored in the bot's hash (`role`) and typed in `tfctl create <name> <kind>`. */
  name: string;
  /** For messages and totals: "writers". */
  plural: string;
  family: Family;
  /** One line: what it does. */
  summary: string;
  /** Its own settings (every kind also has COMMON; a consumer also has its source setting, given here). */
  settings: readonly Setting[];
  /** Its own defaults for common settings (a tracker is due every minute, not every hour). */
  defaults?: { every?: number };
  /** Work waiting behind one of its bots, for list, stats and InfluxDB: how to count it and its name. */
  backlog: { label: string; spec: BacklogSpec };
  /** It posts: its hourly posts go to stats and InfluxDB, and show lists its recent posts. */
  publishes: boolean;
  /** Suffixes of keys of its own (Keys.own), removed with the bot. */
  keys?: readonly string[];
  /** One tick of one bot. Kinds load their tick code on first use, so quick commands never parse it. */
  tick(bot: Bot, env: TickEnv, ctx?: TickContext): Promise<Outcome>;
  /**
   * What its tick needs at the start, asked in the same round trip as the bot's lock: its own hashes
   * (read under the lock) and an early read on another slot, issued at once (synchronously) for the bot
   * as listed, before the lock is won: it must be harmless when the lock is lost (a writer's take).
   */
  start?(bot: Bot, env: TickEnv): { own?: readonly string[]; early?: Promise<unknown> };
  /**
   * Slow set-up its tick needs, started early so that it is ready when its bots run: `start` as a tick
   * command starts, before it connects (a writer starts its text engine's thread: cheap, and the second
   * core is idle then), `due` once the tick knows some bots are due, before it reads which (the thread
   * loads its dictionaries while the tick reads the farm and runs its sources). Not awaited; it must not throw.
   */
  warm?(stage: 'start' | 'due'): void;
  /** What `show` adds for this kind: JSON fields, and text lines after the common ones. */
  show?(bot: Bot, ctx: KindContext): Promise<{ fields: Record<string, unknown>; lines: string[] }>;
  /** What a tick would do, without doing it (`tfctl preview`). */
  preview?(bot: Bot, ctx: KindContext, opts: { text?: string; count?: number }): Promise<PreviewResult>;
  /** It works by rules (`tfctl rules`): how many and how long one of its bots may have. */
  rules?: { limits(bot: Bot): RuleLimits };
  /** Checks across settings, after each one parsed (create and set). */
  check?(settings: Record<string, unknown>, name: string): void;
  /** Parts of its bots beyond settings that a farm file declares (rules, drafts…), by their key there. */
  sections?: readonly BotSection[];
  /** Figures of its own for list, stats and InfluxDB (a collector's rule hits, a tracker's retweets). */
  figures?: KindFigures;
}

/** An InfluxDB measurement of a kind's own: its tags and its (integer) fields. */
export interface KindMeasurement {
  name: string;
  tags: readonly string[];
  fields: readonly string[];
}

/** One point of a kind's measurement; `at` in epoch ms. */
export interface KindPoint {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, number>;
  at: number;
}

/** What a kind adds to the common figures, read for all its bots at once (a farm may have a thousand). */
export interface KindFigures {
  /** Extra keys of each bot's row in list --json and stats --json, and a line for the tables. */
  rows?(names: string[], ctx: KindContext): Promise<Map<string, { fields: Record<string, unknown>; line?: string }>>;
  measurements?: readonly KindMeasurement[];
  /** The points of its measurements for these bots now (written by stats --influx). */
  points?(names: string[], ctx: KindContext): Promise<KindPoint[]>;
}

/**
 * A part of a bot beyond its settings (a list of rules, a queue of drafts) as a farm file declares it:
 * plain data, parsed and normalised by the kind, so `tfctl diff` can compare it with what the bot has
 * and `tfctl apply` can replace it. A section the file leaves out is not managed: it stays as it is.
 */
export interface BotSection {
  /** Its key under the bot in farm.yaml (`rules`). */
  key: string;
  help: string;
  /**
   * The file's value (YAML read as strings, maps and lists: numbers arrive as text) checked and in its
   * normal form; throws a UsageError saying what is wrong. `settings` are the bot's settings as the file
   * makes them (by prop, defaults filled in), for checks that depend on them (a tier's rule limits).
   */
  parse(value: unknown, bot: string, settings: Record<string, unknown>, from: SectionFrom): unknown;
  /** The bot's current value in the same normal form (undefined when it has none). */
  read(bot: Bot, ctx: KindContext): Promise<unknown>;
  /** Makes the bot's value `value`, in one atomic step. */
  write(bot: Bot, value: unknown, ctx: KindContext): Promise<void>;
  /** What changes between two values, in words, for diff (without it: items added and removed). */
  summary?(from: unknown, to: unknown): string;
  /**
   * For a section whose apply is not "make it equal" (a scheduler's drafts: posted ones are history,
   * not undone): what writing `value` to the bot would change, in words; undefined when nothing.
   * Without it, diff compares `read` with the file's value.
   */
  compare?(bot: Bot, value: unknown, ctx: KindContext): Promise<string | undefined>;
}

/** Where a section's value was read: the farm file, whose folder relative paths in it start from. */
export interface SectionFrom {
  file: string;
}

/** A section's problem with one item of its list, so the farm file's error points at that item's line. */
export class SectionItemError extends UsageError {
  constructor(
    message: string,
    readonly item: number,
  ) {
    super(message);
  }
}
