import type { Redis } from 'ioredis';
import { UsageError } from '../errors.js';
import {
  botFromHash,
  COUNTER_PREFIX,
  F,
  PAUSE_PREFIX,
  settingsToHash,
  SUMMARY_FIELDS,
  summaryFromRow,
  type Backlog,
  type Bot,
  type BotSettings,
  type BotSummary,
  type SummaryColumns,
} from './bot-record.js';
import { Keys } from './keys.js';
import { evalOnce, script } from './scripts.js';

/** What a finished tick writes back to its bot. */
export interface TickEnd {
  at: number;
  nextDueAt: number;
  error?: string;
  failing?: boolean;
  pause?: { endpoint: string; until: number };
  counters?: Record<string, number>;
  learned?: Record<string, string>;
}

export type { Backlog };

/** Why a reader cannot be destroyed: the writers that still read from it. */
export function readerInUse(reader: string, writers: string[]): UsageError {
  return new UsageError(`reader "${reader}" is used by writer(s) ${writers.join(',')}: destroy them or move them to another reader first`);
}

/**
 * Typed access to the farm's registry in Redis. Every state change that touches more than one key
 * is a Lua script, so a failed command leaves nothing half-done.
 */
export class FarmStore {
  readonly keys: Keys;

  constructor(readonly redis: Redis, prefix: string) {
    this.keys = new Keys(prefix);
  }

  async create(settings: BotSettings, now = Date.now()): Promise<void> {
    const fields = {
      ...settingsToHash(settings),
      [F.createdAt]: String(now),
      [F.nextDueAt]: String(now),
    };
    const reader = settings.role === 'writer' ? settings.reader ?? '' : '';
    const keys = [this.keys.bots(), this.keys.bot(settings.name)];
    keys.push(reader ? this.keys.bot(reader) : this.keys.bot(settings.name), reader ? this.keys.timeline(reader) : this.keys.bot(settings.name));
    try {
      await script(this.redis, 'create-bot')(keys, [settings.name, reader, ...Object.entries(fields).flat()]);
    } catch (err) {
      throw this.translate(err, settings.name, reader);
    }
  }

  async get(name: string): Promise<Bot | null> {
    const h = await this.redis.hgetall(this.keys.bot(name));
    return h[F.role] ? botFromHash(name, h) : null;
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

  /** All bots (or the named ones), whole and sorted by name, in one round trip (read-bots.lua). */
  async all(names?: string[]): Promise<Bot[]> {
    const reply = await evalOnce(this.redis, 'read-bots', [this.keys.bots()], [this.keys.prefix, ...(names ?? [])]);
    const bots: Bot[] = [];
    for (const { name, h } of JSON.parse(reply as string) as Array<{ name: string; h: Record<string, string> }>) {
      if (h[F.role]) bots.push(botFromHash(name, h));
    }
    return bots;
  }

  /**
   * What list and stats print of every bot (or the named ones), sorted by name, in one round trip
   * (list-bots.lua): the summary fields and the work behind each bot, a reader's cached tweets or a
   * writer's unprocessed ones (its consumer group's lag plus what it holds pending). No token, secret or
   * template is even fetched. Rate-limit pauses cost a second look at each hash: only when asked.
   */
  async overview(names?: string[], opts: { pauses?: boolean } = {}): Promise<BotSummary[]> {
    const args = [this.keys.prefix, SUMMARY_FIELDS.join(','), opts.pauses ? PAUSE_PREFIX : '', ...(names ?? [])];
    const reply = (await evalOnce(this.redis, 'list-bots', [this.keys.bots()], args)) as string;
    const [listed, rows, backlogs, pauses] = JSON.parse(reply) as SummaryColumns;
    const bots: BotSummary[] = [];
    for (let i = 0; i < listed.length; i++) bots.push(summaryFromRow(listed[i]!, rows[i]!, backlogs[i]!, pauses ? pauses[i] : undefined));
    return bots;
  }

  /** One bot, whole, with its backlog (what show prints), or null when there is no such bot. */
  async detail(name: string): Promise<{ bot: Bot; backlog: Backlog } | null> {
    // Both reads leave in one write (auto-pipelining) and come back in one round trip.
    const [[bot], [summary]] = await Promise.all([this.all([name]), this.overview([name])]);
    return bot ? { bot, backlog: summary?.backlog ?? {} } : null;
  }

  /** Changes settings; `reader` moves a writer to another reader. */
  async update(bot: Bot, changes: Partial<BotSettings> & { clear?: string[]; state?: Record<string, string> }): Promise<void> {
    const fields: Record<string, string> = { ...settingsToHash(changes), ...changes.state };
    for (const f of changes.clear ?? []) fields[f] = '';
    const newReader = changes.reader && changes.reader !== bot.reader ? changes.reader : '';
    const self = this.keys.bot(bot.name);
    const keys = newReader
      ? [self, this.keys.bot(newReader), this.keys.timeline(newReader), bot.reader ? this.keys.timeline(bot.reader) : this.keys.timeline(newReader)]
      : [self, self, self, self];
    try {
      await script(this.redis, 'update-bot')(keys, [bot.name, bot.role, newReader, ...Object.entries(fields).flat()]);
    } catch (err) {
      throw this.translate(err, bot.name, newReader);
    }
  }

  async destroy(name: string): Promise<void> {
    const [botKey, ...rest] = this.keys.botKeys(name);
    try {
      await script(this.redis, 'destroy-bot')([this.keys.bots(), botKey!, ...rest], [name, this.keys.prefix]);
    } catch (err) {
      throw this.translate(err, name, '');
    }
  }

  /** Records the end of a bot's tick: times, error state, pauses, counters and what was learned, in one MULTI. */
  async finish(name: string, end: TickEnd): Promise<void> {
    const key = this.keys.bot(name);
    const multi = this.redis.multi();
    const fields: Record<string, string> = { [F.lastTickAt]: String(end.at), [F.nextDueAt]: String(end.nextDueAt), ...end.learned };
    if (end.error) {
      fields[F.lastError] = end.error;
      if (end.failing) fields[F.failing] = '1';
    } else multi.hdel(key, F.lastError);
    if (end.pause) fields[`${PAUSE_PREFIX}${end.pause.endpoint}`] = String(end.pause.until);
    multi.hset(key, fields);
    for (const [counter, by] of Object.entries({ ticks: 1, ...end.counters })) if (by) multi.hincrby(key, `${COUNTER_PREFIX}${counter}`, by);
    await multi.exec();
  }

  /** Maps the scripts' error replies to messages an operator can act on. */
  private translate(err: unknown, name: string, reader: string): Error {
    // Scripts' error replies reach us as "ERR <CODE> …" (Redis adds the ERR).
    const msg = (err instanceof Error ? err.message : String(err)).replace(/^ERR /, '');
    if (msg.startsWith('EXISTS')) return new UsageError(`bot "${name}" exists already`);
    if (msg.startsWith('NOT_FOUND')) return new UsageError(`unknown bot "${name}" (see tfctl list)`);
    if (msg.startsWith('NO_READER')) return new UsageError(`unknown reader "${reader}": create it first with tfctl create ${reader} reader`);
    if (msg.startsWith('NOT_READER')) return new UsageError(`"${reader}" is a ${msg.split(' ')[1]}, not a reader`);
    if (msg.startsWith('IN_USE')) return readerInUse(name, msg.split(' ')[1]!.split(','));
    if (msg.startsWith('CHANGED')) return new UsageError(`bot "${name}" changed while updating; try again`);
    return err instanceof Error ? err : new Error(msg);
  }
}
