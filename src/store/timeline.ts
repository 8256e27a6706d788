import type { RedisClient } from './client.js';
import { F } from './bot-record.js';
import type { Keys } from './keys.js';
import { script } from './scripts.js';
import { TurnBatch } from './turn-batch.js';

/** A tweet as the reader caches it. Ids are strings: snowflakes exceed 2^53. */
export interface CachedTweet {
  id: string;
  author: string;
  author_id: string;
  text: string;
  created_at: string;
}

/** A cached tweet with its stream entry id, as a writer receives it. */
export interface TimelineEntry extends CachedTweet {
  entry: string;
}

const FIELDS = ['id', 'author', 'author_id', 'text', 'created_at'] as const;

function toEntry(entry: string, flat: string[] | null): TimelineEntry | null {
  if (!flat) return null; // trimmed away after it was delivered
  const rec: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) rec[flat[i]!] = flat[i + 1]!;
  return { entry, id: rec.id ?? '', author: rec.author ?? '', author_id: rec.author_id ?? '', text: rec.text ?? '', created_at: rec.created_at ?? '' };
}

/** A take sent with the others of its turn. */
interface Take {
  writer: string;
  count: number;
  keep: boolean;
}

/**
 * The reader's cache is a Redis stream; each writer is a consumer group on it, so "unprocessed" is the
 * group's lag plus what it holds pending, and processing is XREADGROUP + XACK.
 */
export class Timeline {
  constructor(private readonly redis: RedisClient, private readonly keys: Keys) {}

  /** Appends tweets (oldest first) and moves the reader's since_id in one MULTI, so a crash loses or repeats nothing. */
  async append(reader: string, tweets: CachedTweet[], newestId: string | undefined): Promise<void> {
    if (tweets.length === 0 && !newestId) return;
    const multi = this.redis.multi();
    for (const t of tweets) multi.xadd(this.keys.timeline(reader), '*', ...FIELDS.flatMap((f) => [f, t[f]]));
    if (newestId) multi.hset(this.keys.bot(reader), F.sinceId, newestId);
    await multi.exec();
  }

  /**
   * Up to `count` entries for a writer: first those it was given before and never acknowledged (a failed
   * tick), then new ones; one round trip. `keep`: the writer's group is not recreated when missing (the take
   * fails with NOGROUP): for a take issued before the writer's lock and hash were read. The takes of one
   * stream made in one turn (a big tick's writers) leave as one command (take-many.lua), which sends each
   * entry once; the writers get the same entry objects, which none of them changes.
   */
  take(reader: string, writer: string, count: number, opts: { keep?: boolean } = {}): Promise<TimelineEntry[]> {
    return this.takes.add(this.keys.timeline(reader), { writer, count, keep: opts.keep ?? false });
  }

  /** The takes of one turn, by stream. */
  private readonly takes = new TurnBatch<Take, TimelineEntry[]>(async (stream, list) => {
    const reply = await script(this.redis, 'take-many')([stream], list.flatMap((t) => [t.writer, t.count, t.keep ? 'keep' : '']));
    const [entries, answers] = reply as [Array<[string, string[]]>, Array<string[] | string>];
    const byId = new Map(entries.map(([id, flat]) => [id, toEntry(id, flat)!]));
    return answers.map((a) => (typeof a === 'string' ? new Error(a) : a.map((id) => byId.get(id)!)));
  });

  /** Marks entries processed. */
  async ack(reader: string, writer: string, entries: string[]): Promise<void> {
    if (entries.length) await this.redis.xack(this.keys.timeline(reader), writer, ...entries);
  }

  /** What `take` would return, without taking it (for --dry-run and preview). */
  async peek(reader: string, writer: string, count: number): Promise<TimelineEntry[]> {
    const key = this.keys.timeline(reader);
    const out: TimelineEntry[] = [];
    let last = '0-0';
    try {
      const pending = (await this.redis.xpending(key, writer, '-', '+', count, writer)) as Array<[string, ...unknown[]]>;
      for (const [id] of pending) {
        const [hit] = await this.redis.xrange(key, id, id);
        if (hit) out.push(toEntry(hit[0], hit[1])!);
      }
      const groups = (await this.redis.xinfo('GROUPS', key)) as unknown[][];
      for (const g of groups) {
        const i = g.indexOf('name');
        if (g[i + 1] === writer) last = String(g[g.indexOf('last-delivered-id') + 1]);
      }
    } catch {
      return out; // no stream or no group yet: nothing to peek at
    }
    if (out.length < count) {
      for (const [id, flat] of await this.redis.xrange(key, `(${last}`, '+', 'COUNT', count - out.length)) out.push(toEntry(id, flat)!);
    }
    return out;
  }

  /**
   * Drops entries every writer has processed: everything older than the oldest entry any group still
   * needs (its oldest pending entry, or the one after its last delivered). Keeps at most `cap` entries.
   * One script (trim.lua), in the stream's slot: one round trip however many groups, where one XPENDING
   * per group in turn took 0.37 s at 1,000 writers.
   */
  async trim(reader: string, cap: number): Promise<void> {
    await script(this.redis, 'trim')([this.keys.timeline(reader)], [cap]);
  }
}

