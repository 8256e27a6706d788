import type { KindContext, KindPoint } from '../types.js';
import { TWEET_RETWEETS_MEASUREMENT } from './index.js';
import { TrackerStore } from './store.js';

/**
 * One point per tracked tweet per kept minute: its retweet count then (timestamp = the minute), tagged
 * with the tracker, the author's screen name and the tweet id. The kept minutes are written again on
 * every run; a point of the same series and minute replaces the old one, so gaps left by missed runs fill.
 */
export async function points(names: string[], ctx: KindContext): Promise<KindPoint[]> {
  const prefix = ctx.store.keys.prefix;
  const out: KindPoint[] = [];
  for (const name of names) {
    const store = new TrackerStore(ctx.redis, ctx.store.keys, name);
    const [snaps, tweets, users] = await Promise.all([store.snapshots(), store.tweets(), store.users()]);
    for (const snap of snaps) {
      for (const [id, [retweets]] of Object.entries(snap.counts)) {
        const t = tweets.get(id);
        // A tweet no longer tracked has no author to tag it with; its past minutes are already written.
        if (!t) continue;
        out.push({ measurement: TWEET_RETWEETS_MEASUREMENT, tags: { tracker: name, author: users.get(t.author_id) ?? t.author_id, tweet: id, prefix }, fields: { retweets }, at: snap.at });
      }
    }
  }
  return out;
}
