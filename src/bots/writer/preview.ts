import { compose } from './tick.js';
import type { Bot } from '../../store/bot-record.js';
import { writerSettings } from './index.js';
import { Posts } from '../../store/posts.js';
import { Timeline, type TimelineEntry } from '../../store/timeline.js';
import { inThread } from '../../text/engine.js';
import { MAX_WEIGHTED_LENGTH, weightedLength } from '../../text/weight.js';
import type { RedisClient } from '../../store/client.js';
import type { FarmStore } from '../../store/farm-store.js';

export interface PreviewLine {
  source: string;
  tweet: string;
  noun: string;
  text: string;
  weight: number;
  /** Over 280 weighted characters: the writer would skip it. */
  too_long: boolean;
  posted_before: boolean;
}

/**
 * What a writer would make of a text, or of its next unprocessed tweets, without taking them:
 * every candidate, with whether the writer posted it before.
 */
export async function preview(farm: { redis: RedisClient; store: FarmStore }, bot: Bot, opts: { text?: string; count?: number }): Promise<PreviewLine[]> {
  const settings = writerSettings(bot);
  const entries: TimelineEntry[] = opts.text !== undefined
    ? [{ entry: 'text', id: '-', author: '', author_id: '', text: opts.text, created_at: '' }]
    : await new Timeline(farm.redis, farm.store.keys).peek(bot.source!, bot.name, opts.count ?? settings.grab);
  const tweets = new Map(entries.map((e) => [e.entry, e.text]));
  const candidates = await compose({ memo: new Map() }, inThread(), bot.source!, settings.template, entries, { keepTooLong: true });
  const posted = await new Posts(farm.redis, farm.store.keys).posted(bot.name, candidates.map((c) => c.hash));
  return candidates.map((c, i) => {
    const weight = weightedLength(c.text);
    return { source: c.source, tweet: tweets.get(c.entry) ?? '', noun: c.noun, text: c.text, weight, too_long: weight > MAX_WEIGHTED_LENGTH, posted_before: posted[i]! };
  });
}
