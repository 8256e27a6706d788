import { F } from '../../store/bot-record.js';
import { hashOf, perBot } from '../../store/per-bot.js';
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
  // Each bot's keys in its own slot: perBot, which a cluster accepts, not one pipeline.
  const replies = await perBot(ctx.redis, names.flatMap((n): Array<[string, ...string[]]> => [['LLEN', keys.own(n, 'queue')], ['HGETALL', keys.hourly(n)], ['HMGET', keys.bot(n), 'slots', 'tz', F.nextDueAt]]));
  const now = ctx.now();
  const out = new Map<string, { fields: Record<string, unknown>; line?: string }>();
  names.forEach((n, i) => {
    const [queued, hourly, bot] = [Number(replies[i * 3]), hashOf(replies[i * 3 + 1]), replies[i * 3 + 2] as Array<string | null>];
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
