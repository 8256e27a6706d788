import type { Redis } from 'ioredis';
import { UsageError } from '../errors.js';
import { botFromHash, F, PAUSE_PREFIX, settingsToHash, type Bot, type BotSettings } from '../farm/bot.js';
import { Keys } from './keys.js';
import { script } from './scripts.js';

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

/** How much work waits behind a bot: a reader's cached tweets, a writer's unprocessed ones. */
export interface Backlog {
  cached?: number;
  unprocessed?: number;
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

  /** All bots (or the named ones), sorted by name, in one round trip after the name lookup. */
  async all(names?: string[]): Promise<Bot[]> {
    const list = names ?? (await this.names());
    if (list.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const n of list) pipe.hgetall(this.keys.bot(n));
    const replies = (await pipe.exec()) ?? [];
    const bots: Bot[] = [];
    replies.forEach(([err, h], i) => {
      if (err) throw err;
      const hash = h as Record<string, string>;
      if (hash[F.role]) bots.push(botFromHash(list[i]!, hash));
    });
    return bots;
  }

  /**
   * Backlogs of many bots at once: one XINFO GROUPS per reader answers for the reader (its length)
   * and every writer on it (the group's lag plus what it holds pending).
   */
  async backlogs(bots: Bot[]): Promise<Map<string, Backlog>> {
    const readers = [...new Set(bots.flatMap((b) => (b.role === 'reader' ? [b.name] : b.reader ? [b.reader] : [])))];
    const out = new Map<string, Backlog>();
    if (readers.length === 0) return out;
    const pipe = this.redis.pipeline();
    for (const r of readers) {
      pipe.xlen(this.keys.timeline(r));
      pipe.xinfo('GROUPS', this.keys.timeline(r));
    }
    const replies = (await pipe.exec()) ?? [];
    const groups = new Map<string, { lag: number | null; pending: number; last: string }>();
    const lengths = new Map<string, number>();
    readers.forEach((r, i) => {
      const [lenErr, len] = replies[2 * i]!;
      const [infoErr, info] = replies[2 * i + 1]!;
      lengths.set(r, lenErr ? 0 : Number(len));
      if (infoErr) return; // no stream yet
      for (const g of info as unknown[][]) {
        const rec = pairs(g);
        groups.set(`${r}\u0000${rec.name}`, {
          lag: rec.lag === null || rec.lag === undefined ? null : Number(rec.lag),
          pending: Number(rec.pending ?? 0),
          last: String(rec['last-delivered-id'] ?? '0-0'),
        });
      }
    });
    const unknownLag: Array<[string, string, string]> = [];
    for (const b of bots) {
      if (b.role === 'reader') out.set(b.name, { cached: lengths.get(b.name) ?? 0 });
      else if (b.reader) {
        const g = groups.get(`${b.reader}\u0000${b.name}`);
        if (!g) out.set(b.name, { unprocessed: 0 });
        else if (g.lag !== null) out.set(b.name, { unprocessed: g.lag + g.pending });
        else {
          out.set(b.name, { unprocessed: g.pending });
          unknownLag.push([b.name, b.reader, g.last]);
        }
      }
    }
    // Redis cannot always tell a group's lag (after deletions); count the entries past its position.
    for (const [name, reader, last] of unknownLag) {
      const after = await this.redis.xrange(this.keys.timeline(reader), `(${last}`, '+');
      out.get(name)!.unprocessed! += after.length;
    }
    return out;
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
    for (const [counter, by] of Object.entries({ ticks: 1, ...end.counters })) if (by) multi.hincrby(key, `n_${counter}`, by);
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
    if (msg.startsWith('IN_USE')) {
      return new UsageError(`reader "${name}" is used by writer(s) ${msg.split(' ')[1]}: destroy them or move them to another reader first`);
    }
    if (msg.startsWith('CHANGED')) return new UsageError(`bot "${name}" changed while updating; try again`);
    return err instanceof Error ? err : new Error(msg);
  }
}

/** XINFO replies are flat [key, value, key, value…] arrays. */
function pairs(flat: unknown[]): Record<string, unknown> {
  const rec: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) rec[String(flat[i])] = flat[i + 1];
  return rec;
}
