import type { BotKind } from '../types.js';

/**
 * The reader: a source. It fetches its account's home timeline with since_id, so each fetch pays only
 * for new posts, and keeps the tweets in its stream for the consumers reading it.
 */
export const reader: BotKind = {
  name: 'reader',
  plural: 'readers',
  family: 'source',
  summary: "fetches its account's home timeline (since_id) into a stream of tweets that consumers read",
  settings: [],
  backlog: { label: 'cached', spec: { of: 'stream' } },
  publishes: false,
  async tick(bot, env) {
    return (await import('./tick.js')).tick(bot, env);
  },
};
