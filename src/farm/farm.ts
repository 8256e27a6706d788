import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { UsageError } from '../errors.js';
import { connectRedis } from '../store/connect.js';
import { FarmStore, readerInUse } from '../store/farm-store.js';
import { botName, DEFAULTS, F, LIMITS, type Bot, type BotSettings, type Role } from '../bots/bot.js';
import { parseBool, parseCount, parseDuration } from '../bots/values.js';

export interface CreateInput {
  name: string;
  role: Role;
  reader?: string;
  template?: string;
  every?: string;
  perTick?: string;
  grab?: string;
  token?: string;
  secret?: string;
}

/** The farm facade the CLI talks to: one Redis connection, the registry, and the rules of the model. */
export class Farm {
  readonly store: FarmStore;

  private constructor(readonly redis: Redis, readonly config: Config) {
    this.store = new FarmStore(redis, config.prefix);
  }

  static async open(config: Config): Promise<Farm> {
    return new Farm(await connectRedis(config.redisUrl), config);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /** Validates everything before touching Redis, then creates the bot in one atomic step. */
  async create(input: CreateInput): Promise<Bot> {
    const name = botName(input.name);
    const settings: BotSettings = {
      name,
      role: input.role,
      every: input.every ? parseDuration(input.every, 'every') : DEFAULTS.every,
      paused: false,
    };
    if ((input.token === undefined) !== (input.secret === undefined)) {
      throw new UsageError('--token and --secret go together');
    }
    if (input.token !== undefined) {
      settings.token = nonEmpty(input.token, 'token');
      settings.secret = nonEmpty(input.secret!, 'secret');
    }
    if (input.role === 'writer') {
      if (!input.reader) throw new UsageError('a writer needs --reader <name>');
      if (input.template === undefined) throw new UsageError('a writer needs --template TEXT');
      settings.reader = botName(input.reader);
      if (settings.reader === name) throw new UsageError('a writer cannot be its own reader');
      settings.template = await checkTemplate(input.template);
      settings.perTick = input.perTick ? parseCount(input.perTick, 'per-tick', ...LIMITS.perTick) : DEFAULTS.perTick;
      settings.grab = input.grab ? parseCount(input.grab, 'grab', ...LIMITS.grab) : DEFAULTS.grab;
    } else {
      for (const opt of ['reader', 'template', 'perTick', 'grab'] as const) {
        if (input[opt] !== undefined) throw new UsageError(`--${opt === 'perTick' ? 'per-tick' : opt} is for writers only`);
      }
    }
    await this.store.create(settings);
    return this.store.require(name);
  }

  /** Applies `key=value` assignments; all are validated before any is written. */
  async set(nameInput: string, assignments: string[]): Promise<Bot> {
    const name = botName(nameInput);
    if (assignments.length === 0) throw new UsageError('nothing to set: give key=value pairs, e.g. every=30m');
    const bot = await this.store.require(name);
    const changes: Partial<BotSettings> & { clear?: string[] } = {};
    for (const a of assignments) {
      const eq = a.indexOf('=');
      if (eq <= 0) throw new UsageError(`expected key=value, got "${a}"`);
      const key = a.slice(0, eq).trim().toLowerCase().replace(/_/g, '-');
      const value = a.slice(eq + 1);
      const writerOnly = () => {
        if (bot.role !== 'writer') throw new UsageError(`"${key}" is for writers; ${name} is a ${bot.role}`);
      };
      switch (key) {
        case 'every': changes.every = parseDuration(value, 'every'); break;
        case 'paused': changes.paused = parseBool(value, 'paused'); break;
        case 'token': case 'secret':
          if (value === '') (changes.clear ??= []).push(key === 'token' ? F.token : F.secret);
          else changes[key] = value;
          break;
        case 'template': writerOnly(); changes.template = await checkTemplate(value); break;
        case 'per-tick': writerOnly(); changes.perTick = parseCount(value, 'per-tick', ...LIMITS.perTick); break;
        case 'grab': writerOnly(); changes.grab = parseCount(value, 'grab', ...LIMITS.grab); break;
        case 'reader': {
          writerOnly();
          const reader = botName(value);
          if (reader === name) throw new UsageError('a writer cannot be its own reader');
          changes.reader = reader;
          break;
        }
        default:
          throw new UsageError(`unknown setting "${key}": use template, every, per-tick, grab, paused, reader, token or secret`);
      }
    }
    if (changes.token !== undefined) {
      // New tokens may belong to another account: what was learned about the old one is dropped.
      (changes.clear ??= []).push(F.userId, F.username);
    }
    if (changes.paused === false || (changes.token !== undefined && bot.failing)) {
      // Unpausing or new credentials give a failing bot a fresh start.
      (changes.clear ??= []).push(F.failing, F.lastError);
    }
    await this.store.update(bot, changes);
    return this.store.require(name);
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
    if (bot.role === 'reader') {
      // The summaries are enough to see who reads from it; no bot's tokens need to leave Redis for that.
      const users = (await this.store.overview()).filter((b) => b.reader === name).map((b) => b.name);
      if (users.length > 0) throw readerInUse(name, users);
    }
    return bot;
  }

  async destroy(nameInput: string): Promise<void> {
    await this.store.destroy(botName(nameInput));
  }
}

function nonEmpty(value: string, what: string): string {
  if (value.trim() === '') throw new UsageError(`${what} must not be empty`);
  return value;
}

/** Templates are checked when set, so a broken one never reaches a tick. */
async function checkTemplate(source: string): Promise<string> {
  const { parseTemplate } = await import('../text/template.js');
  parseTemplate(source);
  return source;
}
