import type { TwitterApi } from 'twitter-api-v2';
import type { Bot, Role } from '../store/bot-record.js';
import type { Keys } from '../store/keys.js';
import type { FarmStore } from '../store/farm-store.js';
import type { Post, Posts } from '../store/posts.js';
import type { Timeline } from '../store/timeline.js';

/** What every bot kind gets for one tick: the stores, an X client for a bot, and shared caches. */
export interface TickEnv {
  keys: Keys;
  store: FarmStore;
  timeline: Timeline;
  posts: Posts;
  /** An authenticated client for this bot's account (throws a fatal error when tokens are missing). */
  client(bot: Bot): TwitterApi;
  now(): number;
  dryRun: boolean;
  /** X user ids of the farm's own accounts: readers skip their tweets (no feedback loops). */
  farmUserIds: Set<string>;
  /** Per-run memo shared by writers on one reader: a cached tweet is analysed once, not once per writer. */
  memo: Map<string, unknown>;
}

export type OutcomeStatus = 'ok' | 'idle' | 'rate_limited' | 'failed';

/** What a bot's tick did, for the report and for its state in Redis. */
export interface Outcome {
  status: OutcomeStatus;
  detail: string;
  fetched?: number;
  posts?: Post[];
  /** Texts a --dry-run would have posted. */
  drafts?: string[];
  error?: string;
  /** The account's tokens no longer work: the bot stays off until it gets new ones. */
  failing?: boolean;
  /** An endpoint's budget is spent until then (epoch ms). */
  pause?: { endpoint: string; until: number };
  /** Counter increments for the bot's hash. */
  counters?: Record<string, number>;
  /** Learned on the way (e.g. the account's user id), saved with the bot. */
  learned?: Record<string, string>;
}

/** One module per bot kind, all with this shape. */
export interface BotKind {
  role: Role;
  tick(bot: Bot, env: TickEnv): Promise<Outcome>;
}
