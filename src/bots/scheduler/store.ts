import type { RedisClient } from '../../store/client.js';
import type { Keys } from '../../store/keys.js';
import type { Settle, SettleStep } from '../../store/posts.js';
import { HASHTAG_KEY, hashtagSteps } from '../hashtags.js';

/**
 * A scheduler's own keys, all in its `{name}` slot (Keys.own), so each step below is one MULTI and the
 * publish bookkeeping can move them in its own script (Settle):
 *   drafts   hash  draft id → JSON Draft
 *   queue    list  ids waiting, in posting order
 *   done     zset  id → when it was last posted (epoch ms): what --recycle picks from, oldest first
 *   uses     hash  id → times posted
 *   refused  set   ids X refused for good (never tried again)
 *   texts    hash  text hash → id: a draft is never imported twice
 *   seq      string  the last id given
 *   state    hash  slot → the last slot handled (epoch ms)
 *   inbox    set   content hashes of inbox files imported (a file moved late is not imported again)
 *   hashtags hash  tag → uses, and posts with tags for rotate's turn (../hashtags.ts)
 */
export const SCHEDULER_KEYS = ['drafts', 'queue', 'done', 'uses', 'refused', 'texts', 'seq', 'state', 'inbox', HASHTAG_KEY] as const;
type Suffix = (typeof SCHEDULER_KEYS)[number];

export interface Draft {
  id: string;
  text: string;
  hash: string;
  /** epoch ms */
  added_at: number;
  /** Where it came from: file:line, or "-:line" for stdin. */
  from?: string;
}

export type DraftStatus = 'queued' | 'posted' | 'refused';

export interface DraftRow extends Draft {
  status: DraftStatus;
  /** 1-based place in the queue (queued drafts only). */
  position?: number;
  uses: number;
  last_posted_at?: number;
}

export class DraftStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    readonly name: string,
  ) {}

  key(suffix: Suffix): string {
    return this.keys.own(this.name, suffix);
  }

  /** Text hash → id of every draft the bot has, queued or posted. */
  async hashes(): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.redis.hgetall(this.key('texts'))));
  }

  /** Appends drafts to the queue in one step; with `inboxHash`, marks that inbox file imported in the same step. */
  async add(drafts: Array<Omit<Draft, 'id' | 'added_at'>>, now: number, inboxHash?: string): Promise<Draft[]> {
    if (drafts.length === 0 && !inboxHash) return [];
    const last = drafts.length ? await this.redis.incrby(this.key('seq'), drafts.length) : 0;
    const out = drafts.map((d, i) => ({ ...d, id: String(last - drafts.length + i + 1), added_at: now }));
    const m = this.redis.multi();
    for (const d of out) {
      m.hset(this.key('drafts'), d.id, JSON.stringify(d)).hset(this.key('texts'), d.hash, d.id).rpush(this.key('queue'), d.id);
    }
    if (inboxHash) m.sadd(this.key('inbox'), inboxHash);
    await m.exec();
    return out;
  }

  /**
   * What making the queue hold `wanted` takes (a farm file's drafts): queued drafts not wanted leave,
   * wanted drafts the bot never had join at the end, in their order. A draft the bot had — posted or
   * refused — is history: never queued again.
   */
  async syncPlan(wanted: Array<Omit<Draft, 'id' | 'added_at'>>): Promise<{ remove: Draft[]; add: Array<Omit<Draft, 'id' | 'added_at'>> }> {
    const [queue, texts] = await Promise.all([this.redis.lrange(this.key('queue'), 0, -1), this.hashes()]);
    const want = new Set(wanted.map((d) => d.hash));
    return { remove: (await this.get(queue)).filter((d) => !want.has(d.hash)), add: wanted.filter((d) => !texts.has(d.hash)) };
  }

  /**
   * Carries out syncPlan in one MULTI under WATCH of the queue and the texts, so a tick posting (or a
   * `drafts add`) meanwhile makes it look again rather than remove a draft just posted.
   */
  async sync(wanted: Array<Omit<Draft, 'id' | 'added_at'>>, now: number): Promise<{ removed: Draft[]; added: Draft[] }> {
    for (let attempt = 0; attempt < 10; attempt++) {
      await this.redis.watch(this.key('queue'), this.key('texts'));
      const { remove, add } = await this.syncPlan(wanted);
      if (!remove.length && !add.length) {
        await this.redis.unwatch();
        return { removed: [], added: [] };
      }
      // A draft both queued and posted before (rows() allows for it) keeps its history: it only leaves the queue.
      const rested = remove.length ? await this.redis.zmscore(this.key('done'), ...remove.map((d) => d.id)) : [];
      const last = add.length ? await this.redis.incrby(this.key('seq'), add.length) : 0;
      const added = add.map((d, i) => ({ ...d, id: String(last - add.length + i + 1), added_at: now }));
      const m = this.redis.multi();
      remove.forEach((d, i) => {
        m.lrem(this.key('queue'), 0, d.id);
        if (rested[i] === null) m.hdel(this.key('drafts'), d.id).hdel(this.key('texts'), d.hash);
      });
      for (const d of added) m.hset(this.key('drafts'), d.id, JSON.stringify(d)).hset(this.key('texts'), d.hash, d.id).rpush(this.key('queue'), d.id);
      if (await m.exec()) return { removed: remove, added };
    }
    throw new Error('the queue kept changing while the farm file\'s drafts were applied: try again');
  }

  async inboxSeen(hash: string): Promise<boolean> {
    return (await this.redis.sismember(this.key('inbox'), hash)) === 1;
  }

  async queueLength(): Promise<number> {
    return this.redis.llen(this.key('queue'));
  }

  /** The first `n` queued drafts, in order. */
  async next(n: number): Promise<Draft[]> {
    return this.get(await this.redis.lrange(this.key('queue'), 0, n - 1));
  }

  /** Posted drafts rested since `before` with uses left, the longest rested first, `n` at most. */
  async recyclable(before: number, maxUses: number, n: number): Promise<Draft[]> {
    const ids = await this.redis.zrangebyscore(this.key('done'), '-inf', before);
    if (ids.length === 0) return [];
    const uses = await this.redis.hmget(this.key('uses'), ...ids);
    const refused = await this.redis.smismember(this.key('refused'), ...ids);
    return this.get(ids.filter((_, i) => Number(uses[i] ?? 0) < maxUses && !refused[i]).slice(0, n));
  }

  private async get(ids: string[]): Promise<Draft[]> {
    if (ids.length === 0) return [];
    const raw = await this.redis.hmget(this.key('drafts'), ...ids);
    return raw.flatMap((r) => (r ? [JSON.parse(r) as Draft] : []));
  }

  /** Every draft with its status: queued ones in queue order, then posted (oldest post first), then refused. */
  async rows(all: boolean): Promise<DraftRow[]> {
    const [queue, done, uses, refused, drafts] = await Promise.all([
      this.redis.lrange(this.key('queue'), 0, -1),
      all ? this.redis.zrange(this.key('done'), '0', '-1', 'WITHSCORES') : Promise.resolve([] as string[]),
      this.redis.hgetall(this.key('uses')),
      all ? this.redis.smembers(this.key('refused')) : Promise.resolve([] as string[]),
      this.redis.hgetall(this.key('drafts')),
    ]);
    const rows: DraftRow[] = [];
    const row = (id: string, status: DraftStatus, extra: Partial<DraftRow> = {}) => {
      const d = drafts[id];
      if (d) rows.push({ ...(JSON.parse(d) as Draft), status, uses: Number(uses[id] ?? 0), ...extra });
    };
    queue.forEach((id, i) => row(id, 'queued', { position: i + 1 }));
    for (let i = 0; i < done.length; i += 2) if (!queue.includes(done[i]!)) row(done[i]!, 'posted', { last_posted_at: Number(done[i + 1]) });
    for (const id of refused.sort((a, b) => Number(a) - Number(b))) if (!queue.includes(id)) row(id, 'refused');
    return rows;
  }

  /** Removes drafts entirely; returns the ids it did not know. */
  async rm(ids: string[]): Promise<string[]> {
    const raw = await this.redis.hmget(this.key('drafts'), ...ids);
    const m = this.redis.multi();
    const unknown: string[] = [];
    ids.forEach((id, i) => {
      const d = raw[i];
      if (!d) return void unknown.push(id);
      m.lrem(this.key('queue'), 0, id).hdel(this.key('drafts'), id).hdel(this.key('texts'), (JSON.parse(d) as Draft).hash).zrem(this.key('done'), id).hdel(this.key('uses'), id).srem(this.key('refused'), id);
    });
    await m.exec();
    return unknown;
  }

  /**
   * Moves a queued draft to place `to` (1-based; past the end: last). The queue is rewritten in one
   * MULTI under WATCH, so a tick posting meanwhile makes it retry rather than resurrect a posted draft.
   */
  async move(id: string, to: number): Promise<number | undefined> {
    for (let attempt = 0; attempt < 10; attempt++) {
      await this.redis.watch(this.key('queue'));
      const queue = await this.redis.lrange(this.key('queue'), 0, -1);
      const at = queue.indexOf(id);
      if (at < 0) {
        await this.redis.unwatch();
        return undefined;
      }
      queue.splice(at, 1);
      const place = Math.min(Math.max(to, 1), queue.length + 1);
      queue.splice(place - 1, 0, id);
      const done = await this.redis.multi().del(this.key('queue')).rpush(this.key('queue'), ...queue).exec();
      if (done) return place;
    }
    throw new Error('the queue kept changing while it was being reordered: try again');
  }

  async lastSlot(): Promise<number> {
    return Number((await this.redis.hget(this.key('state'), 'slot')) ?? 0);
  }

  async setLastSlot(at: number): Promise<void> {
    await this.redis.hset(this.key('state'), 'slot', String(at));
  }

  /**
   * The bookkeeping of posting draft `id` with hashtags `tags`, done by the post's own script: posted —
   * it leaves the queue, rests from `at`, one more use, each tag one use; a duplicate (X has that text
   * already) — it leaves the queue and rests, no use counted; refused for good — it leaves the queue.
   */
  settle(id: string, at: number, tags: string[]): Settle {
    const keys = [this.key('queue'), this.key('done'), this.key('uses'), this.key(HASHTAG_KEY), this.key('refused')];
    const leave: SettleStep = ['LREM', 0, 0, id];
    const rest: SettleStep = ['ZADD', 1, at, id];
    return {
      keys,
      posted: [leave, rest, ['HINCRBY', 2, id, 1], ...hashtagSteps(3, tags)],
      duplicate: [leave, rest],
      skipped: [leave, ['SADD', 4, id]],
    };
  }
}
