import type { Bot } from '../../store/bot-record.js';
import { hourOf } from '../../store/posts.js';
import { withHashtags } from '../../text/hashtags.js';
import { HASHTAG_KEY, hashtagUses } from '../hashtags.js';
import type { KindContext, PreviewResult } from '../types.js';
import { schedulerSettings } from './settings.js';
import { nextSlot, startOfDay } from './slots.js';
import { DraftStore } from './store.js';

/** What `show` adds for a scheduler: its queue, when it posts next, and how many it posted today. */
export async function show(bot: Bot, ctx: KindContext): Promise<{ fields: Record<string, unknown>; lines: string[] }> {
  const s = schedulerSettings(bot);
  const store = new DraftStore(ctx.redis, ctx.store.keys, bot.name);
  const now = ctx.now();
  const [queued, next, today] = await Promise.all([store.queueLength(), store.next(3), postedSince(ctx, bot.name, startOfDay(s.tz, now))]);
  const nextAt = s.slots.length ? nextSlot(s.slots, s.tz, now) : Math.max(bot.nextDueAt, now);
  const recyclable = s.recycle ? (await store.recyclable(now - s.cooldown * 1000, s.maxUses, 1000)).length : 0;
  const fields = {
    queue_length: queued,
    next_post_at: new Date(nextAt).toISOString(),
    posted_today: today,
    recyclable_now: s.recycle ? recyclable : null,
    next_drafts: next.map((d) => ({ id: d.id, text: d.text })),
  };
  const lines = [
    `queue: ${queued} draft(s)${s.recycle ? `; ${recyclable} posted draft(s) ready to recycle` : ''}`,
    `next post: ${fields.next_post_at}${s.slots.length ? ` (slot, ${s.tz})` : ''}`,
    `posted today: ${today}${s.tz !== 'UTC' ? ` (${s.tz})` : ''}`,
    ...next.map((d, i) => `  ${i + 1}. [${d.id}] ${d.text.replace(/\s+/g, ' ')}`),
  ];
  return { fields, lines };
}

/** Posts since `from`, from the bot's hourly counts (whole hours: a zone half an hour off counts its first half hour too). */
async function postedSince(ctx: KindContext, name: string, from: number): Promise<number> {
  const h = await ctx.redis.hgetall(ctx.store.keys.hourly(name));
  const first = Number(hourOf(from));
  return Object.entries(h).reduce((n, [hour, c]) => (Number(hour) >= first ? n + Number(c) : n), 0);
}

/** The next drafts as they would go out, hashtags included. */
export async function preview(bot: Bot, ctx: KindContext, opts: { text?: string; count?: number }): Promise<PreviewResult> {
  const s = schedulerSettings(bot);
  const store = new DraftStore(ctx.redis, ctx.store.keys, bot.name);
  const drafts = opts.text !== undefined ? [{ id: '-', text: opts.text }] : await store.next(opts.count ?? s.perTick);
  const tags = s.hashtags.length ? await hashtagUses(ctx.redis, store.key(HASHTAG_KEY)) : undefined;
  const items = drafts.map((d) => {
    const text = tags ? withHashtags(d.text, s.hashtags, s.hashtagMode, tags).text : d.text;
    return { id: d.id, text };
  });
  const lines = items.length ? items.map((i) => `[${i.id}] ${i.text}`) : ['the queue is empty'];
  return { items, lines };
}
