import { UsageError } from '../../errors.js';
import type { Bot } from '../../store/bot-record.js';
import { QUERY_MAX_LENGTH, RULE_MAX_LENGTH, type XTier } from '../../xquery/limits.js';
import { RULES_SUFFIX, RULES_VERSION_SUFFIX, rulesSection, type RuleLimits } from '../rules.js';
import { count, duration, setting, type ValueType } from '../settings.js';
import type { BotKind } from '../types.js';

export const TIERS = ['free', 'basic', 'pro', 'enterprise'] as const;

const tier: ValueType<XTier> = {
  type: TIERS.join('|'),
  parse(raw, what) {
    const v = raw.trim().toLowerCase();
    if (!(TIERS as readonly string[]).includes(v)) throw new UsageError(`${what} must be one of ${TIERS.join(', ')}, not "${raw}"`);
    return v as XTier;
  },
  encode: (v) => v,
  decode: (f) => f as XTier,
};

/**
 * Rules per app, as X published them for the filtered stream: Basic 25 (2023), Pro 1,000, Enterprise
 * 25,000. Free has no stream; it gets Basic's figure for its search-only collectors.
 */
export const RULE_COUNT: Record<XTier, number> = { free: 25, basic: 25, pro: 1000, enterprise: 25000 };

/** Keys of its own, besides its stream: rules, their version, since ids per rule, seen ids, hits, heartbeat, X's rule ids. */
export const OWN = {
  sinceIds: 'since_ids',
  seen: 'seen',
  hits: 'rule_hits',
  heartbeat: 'heartbeat',
  xRules: 'x_rules',
  caughtUp: 'caught_up',
} as const;

/** InfluxDB: hits per rule per minute (at the minute), and each collector's rules, hits and heartbeat age now. */
export const RULE_HITS_MEASUREMENT = 'tfctl_rule_hits';
export const COLLECTOR_MEASUREMENT = 'tfctl_collector';

/** How much of its stream a collector keeps: its output is for anyone (tail, consumers), so it is capped by size and age, not by what consumers took. */
export function retention(bot: Bot): { keep: number; keepForS: number } {
  const { keep, keepFor } = bot.settings;
  return { keep: typeof keep === 'number' ? keep : 5000, keepForS: typeof keepFor === 'number' ? keepFor : 7 * 86400 };
}

export function collectorTier(bot: Pick<Bot, 'settings'>): XTier {
  const t = bot.settings.tier;
  return typeof t === 'string' && (TIERS as readonly string[]).includes(t) ? (t as XTier) : 'pro';
}

/** A rule must fit a stream rule and, for cron mode and gap filling, a recent-search query. */
export function collectorLimits(bot: Pick<Bot, 'settings'>): RuleLimits {
  const t = collectorTier(bot);
  return {
    count: RULE_COUNT[t],
    length: Math.min(RULE_MAX_LENGTH[t], QUERY_MAX_LENGTH[t]),
    why: `the ${t} tier (stream rules and recent-search queries)`,
  };
}

/**
 * The collector: a source, as Traptor was. Its rules (tfctl rules) are X queries; each tick packs them
 * into as few recent-search queries as the tier allows, follows since_id per rule, and appends every new
 * tweet once to its stream, tagged with every rule it matches. `tfctl stream` runs it on the filtered stream.
 */
export const collector: BotKind = {
  name: 'collector',
  plural: 'collectors',
  family: 'source',
  summary: 'collects the tweets its rules (X queries) match, by recent search each tick or by `tfctl stream`, into a stream of tweets that consumers read',
  settings: [
    setting({ key: 'keep', prop: 'keep', field: 'keep', value: count(1, 1_000_000), default: 5000, arg: '<n>', help: 'its stream keeps at most this many tweets (consumers that lag further lose the oldest)' }),
    setting({ key: 'keep-for', prop: 'keepFor', field: 'keep_for', value: duration, default: 7 * 86400, arg: '<duration>', help: 'its stream drops tweets collected longer ago than this' }),
    setting({ key: 'tier', prop: 'tier', field: 'tier', value: tier, default: 'pro', arg: '<tier>', help: "the X app's access tier: the length of its queries and how many rules it may have" }),
  ],
  backlog: { label: 'cached', spec: { of: 'stream' } },
  publishes: false,
  keys: [RULES_SUFFIX, RULES_VERSION_SUFFIX, ...Object.values(OWN)],
  rules: { limits: collectorLimits },
  sections: [rulesSection((settings) => collectorLimits({ settings }))],
  async tick(bot, env) {
    return (await import('./tick.js')).tick(bot, env);
  },
  figures: {
    measurements: [
      { name: RULE_HITS_MEASUREMENT, tags: ['bot', 'prefix', 'rule', 'tag'], fields: ['hits'] },
      { name: COLLECTOR_MEASUREMENT, tags: ['bot', 'prefix'], fields: ['rules', 'hits_last_hour', 'heartbeat_age_s'] },
    ],
    async rows(names, ctx) {
      return (await import('./figures.js')).rows(names, ctx);
    },
    async points(names, ctx) {
      return (await import('./figures.js')).points(names, ctx);
    },
  },
  async show(bot, ctx) {
    return (await import('./view.js')).show(bot, ctx);
  },
};
