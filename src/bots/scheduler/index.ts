import type { BotKind } from '../types.js';
import { draftsSection } from './section.js';
import { SCHEDULER_DEFAULTS, SCHEDULER_SETTINGS } from './settings.js';
import { SCHEDULER_KEYS } from './store.js';

/**
 * The scheduler: standalone. It posts drafts from its own queue (`tfctl drafts add`, or files dropped in
 * its --inbox) every --every or at --slots local times, exactly once each through the publishing core,
 * optionally with hashtags, and with --recycle posts again those posted longest ago when the queue is empty.
 */
export const scheduler: BotKind = {
  name: 'scheduler',
  plural: 'schedulers',
  family: 'standalone',
  summary: 'posts drafts from its queue (tfctl drafts add, or an inbox folder) on a schedule: every N hours or at set local times',
  settings: SCHEDULER_SETTINGS,
  defaults: { every: SCHEDULER_DEFAULTS.every },
  // Drafts not posted yet: the label writers use, so list and stats JSON keep their keys.
  backlog: { label: 'unprocessed', spec: { of: 'llen', key: 'queue' } },
  publishes: true,
  keys: SCHEDULER_KEYS,
  sections: [draftsSection],
  async tick(bot, env) {
    return (await import('./tick.js')).tick(bot, env);
  },
  figures: {
    async rows(names, ctx) {
      return (await import('./figures.js')).rows(names, ctx);
    },
  },
  async show(bot, ctx) {
    return (await import('./view.js')).show(bot, ctx);
  },
  async preview(bot, ctx, opts) {
    return (await import('./view.js')).preview(bot, ctx, opts);
  },
};
