import type { RedisClient } from './client.js';
import { UsageError } from '../errors.js';
import {
  botFromHash,
  commonToHash,
  COUNTER_PREFIX,
  F,
  PAUSE_PREFIX,
  RAW_CODEC,
  SUMMARY_FIELDS,
  summaryFromRow,
  type Bot,
  type BotSettings,
  type BotSummary,
  type KindCodec,
  type SummaryColumns,
} from './bot-record.js';
import { DueIndex, dueScore } from './due.js';
import { Keys } from './keys.js';
import { hashOf, perBot } from './per-bot.js';
import { evalOnce, script } from './scripts.js';

/** What a finished tick writes back to its bot (the part of a tick's outcome the store keeps). */
export interface TickEnd {
  at: number;
  nextDueAt: number;
  error?: string;
  failing?: boolean;
  /** Transient failures in a row, this one included; absent after any other outcome (the streak ends). */
  retries?: number;
  pause?: { endpoint: string; until: number };
  counters?: Record<string, number>;
  learned?: Record<string, string>;
}

/** A bot to create: its common settings, and its kind's own as hash fields (encoded by its schema). */
export interface NewBot extends Omit<BotSettings, 'settings'> {
  fields?: Record<string, string>;
}

/** A change of settings: common ones, a kind's own as hash fields, fields to clear, state to write. */
export interface BotChanges extends Partial<Omit<BotSettings, 'settings' | 'name' | 'role'>> {
  fields?: Record<string, string>;
  clear?: string[];
  state?: Record<string, string>;
}

/** Runs one of the store's Lua scripts once, on whichever connection the caller holds. */
export type RunScript = (name: string, keys: string[], args: (string | number)[]) => Promise<unknown>;

/** FarmStore.overview, for any connection (listing.ts reads it without ioredis). */
export async function readOverview(run: RunScript, keys: Keys, codec: KindCodec, names?: string[], opts: { pauses?: boolean } = {}): Promise<BotSummary[]> {
  const args = [keys.prefix, SUMMARY_FIELDS.join(','), opts.pauses ? PAUSE_PREFIX : '', JSON.stringify(codec.backlogs), ...(names ?? [])];
  const reply = (await run('list-bots', [keys.bots()], args)) as string;
  const [listed, rows, backlogs, pauses] = JSON.parse(reply) as SummaryColumns;
  const bots: BotSummary[] = [];
  for (let i = 0; i < listed.length; i++) bots.push(summaryFromRow(listed[i]!, rows[i]!, backlogs[i]!, pauses ? pauses[i] : undefined));
  return bots;
}

/** Why a source cannot be destroyed: the consumers that still read from it. */
export function sourceInUse(role: string, source: string, consumers: string[]): UsageError {
  return new UsageError(`${role} "${source}" is used by ${consumers.join(',')}: destroy them or move them to another source first`);
}

/**
 * Typed access to the farm's registry in Redis. Every state change that touches more than one key
 * is a Lua script, so a failed command leaves nothing half-done.
 */
export class FarmStore {
  readonly keys: Keys;
  /** Which bots are due (src/store/due.ts): kept here by every change of a bot's due time. */
  readonly dueIndex: DueIndex;

  /** `codec` is what the store knows of the kinds (the registry's, from src/bots/index.ts). */
  constructor(readonly redis: RedisClient, prefix: string, readonly codec: KindCodec = RAW_CODEC) {
    this.keys = new Keys(prefix);
    this.dueIndex = new DueIndex(redis, this.keys);
  }

  /** Creates a bot in one step; a consumer's group on its source's stream is created with it. */
  async create(bot: NewBot, now = Date.now()): Promise<void> {
    const { fields: own, ...common } = bot;
    const fields = {
      ...commonToHash(common),
      ...own,
      [F.createdAt]: String(now),
      [F.nextDueAt]: String(now),
    };
    const source = bot.source ?? '';
    const keys = [this.keys.bots(), this.keys.bot(bot.name)];
    keys.push(source ? this.keys.bot(source) : this.keys.bot(bot.name), source ? this.keys.timeline(source) : this.keys.bot(bot.name));
    // Indexed first (due now), so a create cut short leaves at worst an entry the next tick drops.
    const indexed = bot.paused ? null : this.dueIndex.set([[bot.name, now]]);
    try {
      await Promise.all([indexed, script(this.redis, 'create-bot')(keys, [bot.name, source, this.codec.sources.join(','), ...Object.entries(fields).flat()])]);
    } catch (err) {
      throw this.translate(err, bot.name, source);
    }
  }

  async get(name: string): Promise<Bot | null> {
    const h = await this.redis.hgetall(this.keys.bot(name));
    return h[F.role] ? botFromHash(name, h, this.codec) : null;
  }

  /** Like get, but an unknown bot is a usage error. */
  async require(name: string): Promise<Bot> {
    const bot = await this.get(name);
    if (!bot) throw new UsageError(`unknown bot "${name}" (see tfctl list)`);
    return bot;
  }

  async names(): Promise<string[]> {
    return (await this.redis.smembers(this.keys.bots())).sort();
  }

  /**
   * Every bot's account as far as the farm knows it (user id learned, and its token, which begins with
   * the user id): what a tick needs of the bots that are not due. One pipelined read per bot, not a
   * script across bots, so it holds on a cluster.
   */
  async accounts(): Promise<Array<{ userId?: string; token?: string }>> {
    const names = await this.redis.smembers(this.keys.bots());
    const rows = (await perBot(this.redis, names.map((n) => ['HMGET', this.keys.bot(n), F.userId, F.token]))) as Array<[string | null, string | null]>;
    return rows.map(([userId, token]) => ({ ...(userId ? { userId } : {}), ...(token ? { token } : {}) }));
  }

  /**
   * All bots (or the named ones), whole and sorted by name: one HGETALL per bot, pipelined (the names
   * first when not given). Never one script over every bot: that blocks Redis for the whole farm and is
   * not legal on a cluster, where each bot's hash lives in its own slot.
   */
  async all(names?: string[]): Promise<Bot[]> {
    const listed = [...(names ?? (await this.redis.smembers(this.keys.bots())))].sort();
    const hashes = await perBot(this.redis, listed.map((n) => ['HGETALL', this.keys.bot(n)]));
    const bots: Bot[] = [];
    listed.forEach((name, i) => {
      const h = hashOf(hashes[i]);
      if (h[F.role]) bots.push(botFromHash(name, h, this.codec));
    });
    return bots;
  }

  /**
   * What list and stats print of every bot (or the named ones), sorted by name, in one round trip
   * (list-bots.lua): the summary fields and the work behind each bot, counted the way its kind declares
   * (a source's stream length, a consumer's unprocessed entries…). No token, secret or kind setting is
   * even fetched. Rate-limit pauses cost a second look at each hash: only when asked.
   */
  async overview(names?: string[], opts: { pauses?: boolean } = {}): Promise<BotSummary[]> {
    return readOverview((name, keys, args) => evalOnce(this.redis, name, keys, args), this.keys, this.codec, names, opts);
  }

  /** One bot, whole, with its backlog (what show prints), or null when there is no such bot. */
  async detail(name: string): Promise<{ bot: Bot; backlog: number } | null> {
    // Both reads leave in one write (auto-pipelining) and come back in one round trip.
    const [[bot], [summary]] = await Promise.all([this.all([name]), this.overview([name])]);
    return bot ? { bot, backlog: summary?.backlog ?? 0 } : null;
  }

  /** Changes settings; a new `source` moves a consumer's group to that source's stream. */
  async update(bot: Bot, changes: BotChanges): Promise<void> {
    const { fields: own, clear, state, ...common } = changes;
    const fields: Record<string, string> = { ...commonToHash(common), ...own, ...state };
    for (const f of clear ?? []) fields[f] = '';
    const newSource = changes.source && changes.source !== bot.source ? changes.source : '';
    const self = this.keys.bot(bot.name);
    const keys = newSource
      ? [self, this.keys.bot(newSource), this.keys.timeline(newSource), bot.source ? this.keys.timeline(bot.source) : this.keys.timeline(newSource)]
      : [self, self, self, self];
    try {
      await script(this.redis, 'update-bot')(keys, [bot.name, bot.role, newSource, this.codec.sources.join(','), ...Object.entries(fields).flat()]);
    } catch (err) {
      throw this.translate(err, bot.name, newSource);
    }
    await this.reindex([bot.name]);
  }

  /** Puts the named bots in the due index where their hashes say (out of it when gone, paused or failing). */
  async reindex(names: string[]): Promise<void> {
    const bots = new Map((await this.all(names)).map((b) => [b.name, b]));
    await this.dueIndex.set(names.map((n) => [n, bots.has(n) ? dueScore(bots.get(n)!) : null]));
  }

  /** Removes a bot and its keys (`kindSuffixes`: its kind's own, see Keys.own). */
  async destroy(name: string, kindSuffixes: readonly string[] = []): Promise<void> {
    const [botKey, ...rest] = this.keys.botKeys(name, kindSuffixes);
    try {
      await script(this.redis, 'destroy-bot')([this.keys.bots(), botKey!, ...rest], [name, this.keys.prefix, this.codec.sources.join(',')]);
    } catch (err) {
      throw this.translate(err, name, '');
    }
    await this.dueIndex.set([[name, null]]);
  }

  /** Records the end of a bot's tick: times, error state, pauses, counters and what was learned, in one MULTI. */
  async finish(name: string, end: TickEnd): Promise<void> {
    const key = this.keys.bot(name);
    const multi = this.redis.multi();
    const fields: Record<string, string> = { [F.lastTickAt]: String(end.at), [F.nextDueAt]: String(end.nextDueAt), ...end.learned };
    if (end.error) {
      fields[F.lastError] = end.error;
      if (end.failing) fields[F.failing] = '1';
    } else multi.hdel(key, F.lastError, F.retries);
    if (end.retries) fields[F.retries] = String(end.retries);
    else if (end.error) multi.hdel(key, F.retries);
    if (end.pause) fields[`${PAUSE_PREFIX}${end.pause.endpoint}`] = String(end.pause.until);
    multi.hset(key, fields);
    for (const [counter, by] of Object.entries({ ticks: 1, ...end.counters })) if (by) multi.hincrby(key, `${COUNTER_PREFIX}${counter}`, by);
    // The index beside the MULTI, not in it (another slot on a cluster); issued together, one round trip.
    await Promise.all([multi.exec(), this.dueIndex.set([[name, end.failing ? null : end.nextDueAt]])]);
  }

  /** Maps the scripts' error replies to messages an operator can act on. */
  private translate(err: unknown, name: string, source: string): Error {
    // Scripts' error replies reach us as "ERR <CODE> …" (Redis adds the ERR).
    const msg = (err instanceof Error ? err.message : String(err)).replace(/^ERR /, '');
    const sources = this.codec.sources.length ? this.codec.sources : ['source'];
    if (msg.startsWith('EXISTS')) return new UsageError(`bot "${name}" exists already`);
    if (msg.startsWith('NOT_FOUND')) return new UsageError(`unknown bot "${name}" (see tfctl list)`);
    if (msg.startsWith('NO_SOURCE')) return new UsageError(`unknown ${sources.join(' or ')} "${source}": create it first with tfctl create ${source} ${sources[0]}`);
    if (msg.startsWith('NOT_SOURCE')) return new UsageError(`"${source}" is a ${msg.split(' ')[1]}, not a ${sources.join(' or ')}`);
    if (msg.startsWith('IN_USE')) return sourceInUse(msg.split(' ')[1]!, name, msg.split(' ')[2]!.split(','));
    if (msg.startsWith('CHANGED')) return new UsageError(`bot "${name}" changed while updating; try again`);
    return err instanceof Error ? err : new Error(msg);
  }
}
