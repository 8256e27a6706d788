import type { RedisClient } from './client.js';
import { botFromHash, COUNTER_PREFIX, F, PAUSE_PREFIX, type Bot, type KindCodec } from './bot-record.js';
import type { DueIndex } from './due.js';
import type { TickEnd } from './farm-store.js';
import type { Keys } from './keys.js';
import type { BotLock } from './lock.js';
import { hashOf } from './per-bot.js';
import { hourOf, RECENT_POSTS, type Intent, type Post, type Settle, type SettleStep } from './posts.js';
import { waitReplicated } from './replicated.js';
import { script } from './scripts.js';
import { TurnBatch } from './turn-batch.js';

/**
 * A bot's tick costs Redis two steps of its own, each one script in the bot's slot, plus what a kind adds
 * between them (a writer: one step to choose its texts and write their intents, see Posts.choose):
 *
 *   begin — the lock is taken and, only if won, the bot's hash, its open intents and the kind's own
 *           state are read (scripts/tick-begin.lua);
 *   end   — the bookkeeping of every text the tick settled, intents dropped, the bot's state and
 *           counters, the lock released (scripts/tick-end.lua). The commands on other slots (the
 *           source's stream acknowledged, the due index, the farm's events) leave in the same write.
 *
 * Commands issued in the same event-loop turn go out together (auto-pipelining; on a cluster, to their
 * nodes in parallel): one round trip in time, however many slots.
 */

/** What begin read, under the lock. */
export interface TickStart {
  /** The bot as its hash says now; null when it was destroyed meanwhile. */
  bot: Bot | null;
  /** Intents earlier ticks left open (see bots/publish.ts). */
  intents: Intent[];
  /** The kind's own hashes asked for, by suffix (Keys.own). */
  own: Record<string, Record<string, string>>;
}

/** Takes the bot's lock with `lock`'s token and reads it if won; null when another run holds the lock. */
export async function beginTick(redis: RedisClient, keys: Keys, codec: KindCodec, name: string, lock: BotLock, ownSuffixes: readonly string[] = []): Promise<TickStart | null> {
  const reply = (await script(redis, 'tick-begin')(
    [keys.lock(name), keys.bot(name), keys.intents(name), ...ownSuffixes.map((s) => keys.own(name, s))],
    [lock.token, lock.ttlMs],
  )) as [string[], string[], ...string[][]] | null;
  if (!reply) return null;
  lock.held();
  const [flat, intents, ...own] = reply;
  const h = hashOf(flat);
  const out: TickStart = { bot: h[F.role] ? botFromHash(name, h, codec) : null, intents: intents.map((v) => JSON.parse(v) as Intent), own: {} };
  ownSuffixes.forEach((s, i) => (out.own[s] = hashOf(own[i])));
  return out;
}

interface Settled {
  hash: string;
  post: Post | null;
  counter: 'posted' | 'duplicates' | 'skipped';
  settle?: Settle;
  steps?: SettleStep[];
}

/**
 * What a tick settled and has still to write: kept in memory until the end step writes it all in one
 * script. Until then every text's intent stays in Redis, so a crash before the end leaves each one to
 * the next tick's recovery: nothing is lost, nothing is sent twice.
 */
export class TickLedger {
  private readonly settled: Settled[] = [];
  private readonly drops = new Set<string>();
  private readonly rewrites = new Map<string, Intent>();
  private readonly acks = new Map<string, { group: string; entries: string[] }>();

  /** A post made (or found made): recorded, its intent cleared, the kind's `posted` steps done. */
  record(intent: Intent, post: Post): void {
    this.settled.push({ hash: intent.hash, post, counter: 'posted', settle: intent.settle, steps: intent.settle?.posted });
  }

  /** X calls it a duplicate: never tried again, counted as a duplicate. */
  duplicate(intent: Intent): void {
    this.settled.push({ hash: intent.hash, post: null, counter: 'duplicates', settle: intent.settle, steps: intent.settle?.duplicate });
  }

  /** X refuses it for good: never tried again, counted as skipped. */
  giveUp(intent: Intent): void {
    this.settled.push({ hash: intent.hash, post: null, counter: 'skipped', settle: intent.settle, steps: intent.settle?.skipped });
  }

  /** Nothing was created for it, or it was never sent: its intent goes. */
  drop(hash: string): void {
    this.drops.add(hash);
  }

  /** The intent changes (its answer arrived, unreadable): written at the end; until then the old one holds. */
  rewrite(intent: Intent): void {
    this.rewrites.set(intent.hash, intent);
  }

  /** Entries of a source's stream to acknowledge, sent with the end step (another slot: not in its script). */
  ack(stream: string, group: string, entries: string[]): void {
    if (entries.length === 0) return;
    const a = this.acks.get(stream);
    if (a) a.entries.push(...entries);
    else this.acks.set(stream, { group, entries: [...entries] });
  }

  /** Hashes settled in this tick (their intents are still in Redis until the end step). */
  settledHashes(): Set<string> {
    return new Set(this.settled.map((s) => s.hash));
  }

  get empty(): boolean {
    return this.settled.length === 0 && this.drops.size === 0 && this.rewrites.size === 0;
  }

  /** Whether any text was settled (the `after-record` hook point follows the end step then). */
  get recorded(): boolean {
    return this.settled.length > 0;
  }

  /**
   * The end step: the script in the bot's slot, then the acknowledgements and the due index through `batch`,
   * which sends those of every end step of the same turn as one command each. The acknowledgements leave
   * after the script, so on one Redis they run after it; on a cluster either may land alone, and both
   * orders are safe: an entry acknowledged without its bookkeeping leaves the intent for recovery, which
   * needs no entry; bookkeeping without the acknowledgement leaves the entry pending, and its texts are
   * then found posted. Resolves to whether the lock was still ours.
   */
  end(redis: RedisClient, keys: Keys, batch: EndBatch, name: string, lock: BotLock, end: TickEnd): Promise<boolean> {
    const own: string[] = [];
    const index = (key: string) => {
      let i = own.indexOf(key);
      if (i < 0) i = own.push(key) - 1;
      return i;
    };
    const settled = this.settled.map((s) => ({
      hash: s.hash,
      post: s.post ? JSON.stringify(s.post) : '',
      hour: s.post ? hourOf(s.post.at) : '0',
      counter: s.counter,
      // Arguments as strings: Lua would print a large number as 1.7e+12.
      steps: (s.steps ?? []).map(([c, i, ...a]) => [c, index(s.settle!.keys[i]!), ...a.map(String)]),
    }));
    const finish = finishFields(end);
    const plan = {
      settled,
      cap: String(RECENT_POSTS),
      drop: [...this.drops].filter((h) => !settled.some((s) => s.hash === h)),
      rewrite: [...this.rewrites.values()].map((i) => [i.hash, JSON.stringify(i)]),
      ...finish,
    };
    const done = script(redis, 'tick-end')(
      [keys.lock(name), keys.bot(name), keys.intents(name), keys.posted(name), keys.posts(name), keys.hourly(name), ...own],
      [lock.token, JSON.stringify(plan)],
    );
    lock.stopRenewal();
    const acks = [...this.acks].map(([stream, a]) => batch.ack(stream, a.group, a.entries));
    const score = end.failing ? null : end.nextDueAt;
    // On a cluster the index is on another node, and must never say later than the bot's hash: it is set
    // once the end step is in and on a replica. A master that died with an end step its replica never got
    // would otherwise leave the bot, its post on X and in no record, out of every tick until the index's
    // time. If no replica has it in time the index keeps its earlier time, which a tick corrects from the hash.
    const indexed = redis.isCluster
      ? done.then(() => waitReplicated(redis, keys.bot(name)).then(() => batch.due(name, score), () => undefined))
      : batch.due(name, score);
    return Promise.all([done, indexed, ...acks]).then(([released]) => released === 1);
  }
}

/**
 * The acknowledgements and due times of the end steps a run sends in one turn (farm/tick.ts lets the end
 * steps that are ready in one turn leave together), gathered and sent as one command each: one script
 * per stream for its groups' acknowledgements (scripts/ack-groups.lua), one ZADD (and ZREM) for the due
 * index, after the end steps of that turn, where one XACK and one ZADD per bot were two commands a bot.
 */
export class EndBatch {
  private readonly acks: TurnBatch<{ group: string; entries: string[] }, undefined>;
  private readonly dues: TurnBatch<[name: string, score: number | null], undefined>;

  constructor(redis: RedisClient, index: DueIndex) {
    this.acks = new TurnBatch(async (stream, groups) => {
      const answers = (await script(redis, 'ack-groups')([stream], groups.flatMap((g) => [g.group, g.entries.length, ...g.entries]))) as Array<number | string>;
      return answers.map((a) => (typeof a === 'string' ? new Error(a) : undefined));
    });
    this.dues = new TurnBatch(async (_, entries) => {
      await index.set(entries);
      return entries.map(() => undefined);
    });
  }

  ack(stream: string, group: string, entries: string[]): Promise<void> {
    return this.acks.add(stream, { group, entries });
  }

  due(name: string, score: number | null): Promise<void> {
    return this.dues.add('', [name, score]);
  }
}

/** What a finished tick writes to its bot's hash: fields set, fields cleared, counters moved. */
export function finishFields(end: TickEnd): { set: Record<string, string>; del: string[]; incr: Record<string, string> } {
  const set: Record<string, string> = { [F.lastTickAt]: String(end.at), [F.nextDueAt]: String(end.nextDueAt), ...end.learned };
  const del: string[] = [];
  if (end.error) {
    set[F.lastError] = end.error;
    if (end.failing) set[F.failing] = '1';
  } else del.push(F.lastError, F.retries);
  if (end.retries) set[F.retries] = String(end.retries);
  else if (end.error) del.push(F.retries);
  if (end.pause) set[`${PAUSE_PREFIX}${end.pause.endpoint}`] = String(end.pause.until);
  const incr: Record<string, string> = {};
  for (const [counter, by] of Object.entries({ ticks: 1, ...end.counters })) if (by) incr[`${COUNTER_PREFIX}${counter}`] = String(by);
  return { set, del, incr };
}
