import type { BotKind } from '../types.js';
import { TRACKER_DEFAULTS, TRACKER_SETTINGS, trackerSettings } from './settings.js';
import { TRACKER_KEYS } from './store.js';

/** InfluxDB: each tracked tweet's retweet count per minute (tags tracker, author, tweet). */
export const TWEET_RETWEETS_MEASUREMENT = 'tfctl_tweet_retweets';

/**
 * The tracker: standalone. It follows the recent tweets of a set of accounts and reads their retweet
 * counts every minute, 100 tweets per lookup, keeping one snapshot per minute (counts and deltas) for
 * `tfctl top`, and optionally a counts-<epoch ms>.tsv file per minute.
 */
export const tracker: BotKind = {
  name: 'tracker',
  plural: 'trackers',
  family: 'standalone',
  summary: "tracks the retweet counts of some accounts' recent tweets minute by minute (tfctl top ranks them)",
  settings: TRACKER_SETTINGS,
  defaults: { every: TRACKER_DEFAULTS.every },
  backlog: { label: 'cached', spec: { of: 'hlen', key: 'tweets' } },
  publishes: false,
  keys: TRACKER_KEYS,
  async tick(bot, env) {
    return (await import('./tick.js')).tick(bot, env);
  },
  figures: {
    measurements: [{ name: TWEET_RETWEETS_MEASUREMENT, tags: ['tracker', 'author', 'tweet', 'prefix'], fields: ['retweets'] }],
    async points(names, ctx) {
      return (await import('./figures.js')).points(names, ctx);
    },
  },
  async show(bot, ctx) {
    const { TrackerStore } = await import('./store.js');
    const { estimate, LOOKUP, windowOf } = await import('./plan.js');
    const { formatDuration } = await import('../values.js');
    const store = new TrackerStore(ctx.redis, ctx.store.keys, bot.name);
    const [users, tracked, cursor, minutes] = await Promise.all([store.users(), store.tweetCount(), store.cursor(), store.snapshotMinutes()]);
    const s = trackerSettings(bot);
    const cost = estimate(tracked, users.size || s.users.length, bot.every, windowOf(cursor, LOOKUP));
    const last = minutes[minutes.length - 1];
    const fields = {
      accounts: [...users].map(([id, username]) => ({ id, screen_name: username })),
      tracked_tweets: tracked,
      snapshots: minutes.length,
      last_snapshot_at: last !== undefined ? new Date(last).toISOString() : null,
      cost,
    };
    const lines = [
      `accounts: ${users.size ? [...users].map(([id, u]) => `@${u} (${id})`).join(', ') : 'not resolved yet (the first tick does)'}`,
      `tracking ${tracked} tweet(s); ${minutes.length} minute snapshot(s)${last !== undefined ? `, last ${new Date(last).toISOString()}` : ''}`,
      `lookups: ${cost.batches} per round of 100 ids; about ${cost.lookups_per_day} lookup request(s) and ${cost.timeline_requests_per_day} timeline request(s) a day`,
      `reads: about ${cost.reads_per_day} post read(s) a day (X bills each post once per UTC day)`,
    ];
    if (cost.minutes_per_round > 1) {
      lines.push(`spread: the lookup limit allows ${cost.per_minute} request(s) a minute, so each tweet is read every ${formatDuration(cost.minutes_per_round * 60)} rather than every minute`);
    }
    return { fields, lines };
  },
};
