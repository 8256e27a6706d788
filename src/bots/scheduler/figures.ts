import { F } from '../../store/bot-record.js';
import { hourOf } from '../../store/posts.js';
import type { KindContext } from '../types.js';
import { SCHEDULER_DEFAULTS } from './settings.js';
import { nextSlot, parseSlots, startOfDay } from './slots.js';

/**
 * What list and stats show of schedulers, read for all of them in one pipeline: queue length, when the
 * next post is due (the next slot, or the bot's next due time), and posts of today in its time zone.
 */
export async function rows(names: string[], ctx: KindContext) {
  const keys = ctx.store.keys;
  const pipe = ctx.redis.pipeline();
  for (const n of names) pipe.llen(keys.own(n, 'queue')).hgetall(keys.hourly(n)).hmget(keys.bot(n), 'slots', 'tz', F.nextDueAt);
  const replies = (await pipe.exec()) ?? [];
  const now = ctx.now();
  const out = new Map<string, { fields: Record<string, unknown>; line?: string }>();
  names.forEach((n, i) => {
    const [queued, hourly, bot] = replies.slice(i * 3, i * 3 + 3).map(([err, v]) => {
      if (err) throw err;
      return v;
    }) as [number, Record<string, string>, Array<string | null>];
    const [slots, tz, nextDue] = bot;
    const zone = tz || SCHEDULER_DEFAULTS.tz;
    const next = slots ? nextSlot(parseSlots(slots), zone, now) : Math.max(Number(nextDue ?? 0), now);
    const first = Number(hourOf(startOfDay(zone, now)));
    const today = Object.entries(hourly).reduce((sum, [h, c]) => (Number(h) >= first ? sum + Number(c) : sum), 0);
    const at = new Date(next).toISOString();
    out.set(n, {
      fields: { queue_length: queued, next_post_at: at, posted_today: today },
      line: `${queued} draft${queued === 1 ? '' : 's'} queued, next post ${at}, ${today} posted today${zone !== 'UTC' ? ` (${zone})` : ''}`,
    });
  });
  return out;
}
