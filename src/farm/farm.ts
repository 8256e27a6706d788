import type { RedisClient } from '../store/client.js';
import type { Config } from '../config.js';
import { UsageError } from '../errors.js';
import { changesFor, newBot } from '../bots/configure.js';
import { CODEC, kindOf, requireKind } from '../bots/index.js';
import { connectRedis } from '../store/connect.js';
import { assertNoEviction } from '../store/eviction.js';
import { FarmStore, sourceInUse, type BotChanges } from '../store/farm-store.js';
import { openListing, type FarmListing } from '../store/listing.js';
import { botName, F, type Bot } from '../bots/bot.js';
import { openClock, type Clock } from './clock.js';

/** What `create` takes: the name, the kind, and option values by setting (commander's camelCase or the setting's key). */
export interface CreateInput {
  name: string;
  role: string;
  [setting: string]: unknown;
}

/** The farm facade the CLI talks to: one Redis connection, the registry, the clock and the rules of the model. */
export class Farm {
  readonly store: FarmStore;

  private constructor(readonly redis: RedisClient, readonly config: Config, readonly clock: Clock) {
    this.store = new FarmStore(redis, config.prefix, CODEC);
  }

  static async open(config: Config): Promise<Farm> {
    // The clock first: a sandbox that does not answer is reported before Redis is touched.
    const clock = await openClock(config);
    return new Farm(await connectRedis(config.redisUrl, config.redisCluster), config, clock);
  }

  /** A read-only view for a command that lists once and exits: no ioredis loaded (store/listing.ts). */
  static async openListing(config: Config): Promise<FarmListing & { now(): number }> {
    const clock = await openClock(config);
    if (config.redisCluster) {
      // A cluster needs ioredis's slot map to find each bot's node: the farm's own store lists it.
      const redis = await connectRedis(config.redisUrl, true);
      const store = new FarmStore(redis, config.prefix, CODEC);
      return { overview: (names, opts) => store.overview(names, opts), close: async () => void (await redis.quit().catch(() => redis.disconnect())), now: () => clock.now() };
    }
    const listing = await openListing(config.redisUrl, config.prefix, CODEC);
    return { ...listing, now: () => clock.now() };
  }

  /** The farm's "now" (epoch ms). */
  now(): number {
    return this.clock.now();
  }

  async close(): Promise<void> {
    // QUIT waits for every node's answer; a cluster node that hangs (not dead) must not keep a cron run alive.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, 1000).unref()));
    await Promise.race([this.redis.quit().catch(() => undefined), late]);
    clearTimeout(timer);
    this.redis.disconnect();
  }

  /** Validates everything against the kind's schema before touching Redis, then creates the bot in one atomic step. */
  async create(input: CreateInput): Promise<Bot> {
    const { name: nameInput, role, ...values } = input;
    const name = botName(nameInput);
    const kind = requireKind(role);
    const bot = await newBot(kind, name, values);
    await assertNoEviction(this.redis);
    await this.store.create(bot, this.now());
    return this.store.require(name);
  }

  /** Applies `key=value` assignments; all are validated before any is written. */
  async set(nameInput: string, assignments: string[]): Promise<Bot> {
    const name = botName(nameInput);
    if (assignments.length === 0) throw new UsageError('nothing to set: give key=value pairs, e.g. every=30m');
    const bot = await this.store.require(name);
    const changes = await changesFor(requireKind(bot.role), bot, assignments);
    // A new interval counts from now: the next tick is not left where the old one put it (hours away, or due at once).
    if (changes.every !== undefined) changes.state = { ...changes.state, [F.nextDueAt]: String(this.now() + changes.every * 1000) };
    await this.change(bot, changes);
    return this.store.require(name);
  }

  /** Writes checked changes to a bot (set, apply), with what they imply for its state; its data stays. */
  async change(bot: Bot, changes: BotChanges): Promise<void> {
    if (changes.token !== undefined) {
      // New tokens may belong to another account: what was learned about the old one is dropped.
      (changes.clear ??= []).push(F.userId, F.username);
    }
    if (changes.paused === false || (changes.token !== undefined && bot.failing)) {
      // Unpausing or new credentials give a failing bot a fresh start.
      (changes.clear ??= []).push(F.failing, F.lastError);
    }
    await this.store.update(bot, changes);
  }

  /** Stores an account's tokens with who they belong to, in one step (after `tfctl auth`). */
  async setCredentials(nameInput: string, account: { token: string; secret: string; userId: string; username: string }): Promise<Bot> {
    const bot = await this.store.require(botName(nameInput));
    await this.store.update(bot, {
      token: nonEmpty(account.token, 'token'),
      secret: nonEmpty(account.secret, 'secret'),
      state: { [F.userId]: account.userId, [F.username]: account.username },
      clear: [F.failing, F.lastError],
    });
    return this.store.require(bot.name);
  }

  /** Checks before asking for confirmation; the destroy script checks again atomically. */
  async assertDestroyable(name: string): Promise<Bot> {
    const bot = await this.store.require(name);
    if (kindOf(bot.role)?.family === 'source') {
      // The summaries are enough to see who reads from it; no bot's tokens need to leave Redis for that.
      const users = (await this.store.overview()).filter((b) => b.source === name).map((b) => b.name);
      if (users.length > 0) throw sourceInUse(bot.role, name, users);
    }
    return bot;
  }

  async destroy(nameInput: string): Promise<void> {
    const name = botName(nameInput);
    const bot = await this.store.get(name);
    await this.store.destroy(name, (bot && kindOf(bot.role)?.keys) || []);
  }
}

function nonEmpty(value: string, what: string): string {
  if (value.trim() === '') throw new UsageError(`${what} must not be empty`);
  return value;
}
