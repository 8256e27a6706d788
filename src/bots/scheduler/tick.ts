import type { Bot } from '../../store/bot-record.js';
import { textHash, type Post } from '../../store/posts.js';
import { withHashtags } from '../../text/hashtags.js';
import { HASHTAG_KEY, hashtagUses, spend } from '../hashtags.js';
import { Publisher } from '../publish.js';
import type { Outcome, TickEnv } from '../types.js';
import { importInbox } from './inbox.js';
import { schedulerSettings } from './settings.js';
import { lastSlot, nextSlot } from './slots.js';
import { DraftStore, type Draft } from './store.js';

/** Drafts looked at per post wanted: X may call some duplicates (a recycled text it still has). */
const LOOKAHEAD = 10;

/**
 * One due tick of a scheduler: imports its inbox, settles what an earlier tick left open, then posts the
 * next `per-tick` drafts in queue order through the publishing core; with --recycle and an empty queue,
 * drafts posted longest ago. With --slots it posts once per slot that has come since the last one it
 * handled (a slot missed while the farm was down is posted late, once, not caught up one by one).
 *
 * Exactly once: each post's intent carries the draft's own bookkeeping (../../store/posts.ts Settle), so
 * a draft leaves the queue in the same script that records its post. A tick that finds a post an
 * earlier one made (a crash after X answered) counts it against this tick's per-tick: that was this
 * period's post.
 */
export async function tick(bot: Bot, env: TickEnv): Promise<Outcome> {
  const s = schedulerSettings(bot);
  const store = new DraftStore(env.store.redis, env.keys, bot.name);
  const now = env.now();
  const notes: string[] = [];
  let inboxError: string | undefined;
  if (s.inbox && !env.dryRun) {
    const r = await importInbox(s.inbox, store, now);
    if (r.imported || r.files.length) notes.push(`imported ${r.imported} draft(s) from ${r.files.length} file(s)`);
    if (r.rejected.length) notes.push(`rejected ${r.rejected.join(', ')}`);
    inboxError = r.error;
  }

  const slots = s.slots.length > 0;
  const next = slots ? nextSlot(s.slots, s.tz, now) : undefined;
  const slot = slots ? lastSlot(s.slots, s.tz, now) : undefined;
  if (slots && (slot! <= (await store.lastSlot()) || slot! < bot.createdAt)) {
    return finish({ status: 'idle', detail: `next slot ${new Date(next!).toISOString()}`, dueAt: next }, notes, inboxError);
  }

  const client = env.dryRun ? undefined : env.client(bot);
  const learned: Record<string, string> = {};
  let publisher: Publisher | undefined;
  if (client) {
    publisher = new Publisher(bot, env, client, learned);
    const failed = await publisher.recover();
    if (failed) return finish(withPosts({ ...failed, learned }, publisher.posts), notes, inboxError);
    const open = await env.posts.intents(bot.name);
    if (open.length > 0) {
      // A post whose answer was lost may still land: nothing new until it is settled.
      const settledBy = Math.max(...open.map((i) => (i.sentAt ?? i.at) + env.inFlightMs));
      return finish({ status: 'idle', detail: 'waiting for a post in flight to be settled', dueAt: settledBy, learned }, notes, inboxError);
    }
  }

  const budget = s.perTick - (publisher?.posts.length ?? 0);
  const tags = s.hashtags.length ? await hashtagUses(env.store.redis, store.key(HASHTAG_KEY)) : undefined;
  let candidates: Draft[] = budget > 0 ? await store.next(budget * LOOKAHEAD) : [];
  let recycled = false;
  if (budget > 0 && candidates.length === 0 && s.recycle) {
    candidates = await store.recyclable(now - s.cooldown * 1000, s.maxUses, budget * LOOKAHEAD);
    recycled = candidates.length > 0;
  }
  const compose = (d: Draft) => (tags ? withHashtags(d.text, s.hashtags, s.hashtagMode, tags) : { text: d.text, used: [] as string[] });

  if (!publisher) {
    const drafts = candidates.slice(0, Math.max(budget, 0)).map((d) => compose(d).text);
    return finish({ status: drafts.length ? 'ok' : 'idle', detail: drafts.length ? `would post ${drafts.length}` : 'the queue is empty', drafts, dueAt: next }, notes, inboxError);
  }

  let stopped: Outcome | undefined;
  let skipped = 0;
  for (const d of candidates) {
    if (publisher.posts.length >= s.perTick) break;
    const { text, used } = compose(d);
    const r = await publisher.publish({ kind: 'post', text, hash: textHash(text), source: d.id, entry: d.id, noun: '', at: now, settle: store.settle(d.id, now, used) });
    if (r.settled === 'posted') {
      if (tags) spend(tags, used);
      continue;
    }
    if (r.settled === 'duplicate' || r.settled === 'given-up') {
      // X has this text already (a recycled draft within its window) or refuses it: the next one, text unchanged.
      skipped++;
      continue;
    }
    stopped = r.outcome;
    break;
  }
  if (slots && !stopped) await store.setLastSlot(slot!);
  await queueEvent(bot, env, store, s.recycle, now);
  const posts = publisher.posts;
  if (stopped) return finish(withPosts({ ...stopped, learned }, posts), notes, inboxError);
  const skip = skipped ? `, skipped ${skipped} X refused or already has` : '';
  if (posts.length) return finish({ status: 'ok', detail: `posted ${posts.length}${recycled ? ' (recycled)' : ''}${skip}`, posts, learned, dueAt: next }, notes, inboxError);
  const why = candidates.length === 0 ? (s.recycle ? 'the queue is empty and no posted draft has rested long enough' : 'the queue is empty') : `nothing posted${skip}`;
  return finish({ status: 'idle', detail: why, learned, dueAt: next }, notes, inboxError);
}

/**
 * `queue_empty` once when the queue runs out (set again only after drafts were added and it ran out
 * again), so an operator hears of it without an event every tick while it stays empty.
 */
async function queueEvent(bot: Bot, env: TickEnv, store: DraftStore, recycle: boolean, at: number): Promise<void> {
  if (!env.events) return;
  const flag = `queue_empty:${bot.name}`;
  if ((await store.queueLength()) > 0) return void (await env.events.leave(flag, null));
  const detail = recycle ? 'the queue of drafts is empty: recycling posted drafts' : 'the queue of drafts is empty: add some with tfctl drafts add';
  await env.events.enter(flag, { type: 'queue_empty', bot: bot.name, at, detail, data: { recycle } });
}

/** Adds what the inbox did to the detail; an inbox that cannot be read makes the tick a failure. */
function finish(outcome: Outcome, notes: string[], inboxError: string | undefined): Outcome {
  const detail = notes.length ? `${outcome.detail}; ${notes.join('; ')}` : outcome.detail;
  if (inboxError && outcome.status !== 'failed') return { ...outcome, status: 'failed', detail, error: inboxError, counters: { ...outcome.counters, errors: 1 } };
  return { ...outcome, detail };
}

function withPosts(outcome: Outcome, posts: Post[]): Outcome {
  if (posts.length === 0) return outcome;
  return { ...outcome, posts, detail: `${outcome.detail} after ${posts.length} post(s)` };
}
