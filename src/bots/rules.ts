import type { Redis } from 'ioredis';
import { UsageError } from '../errors.js';
import type { Keys } from '../store/keys.js';
import { parseQuery, XQuerySyntaxError, XQueryTooLongError, type Query } from '../xquery/index.js';

/**
 * Rules: X queries a bot works by (a collector collects what they match; a retweeter retweets it).
 * Kept per bot in its own slot: a hash `{name}:rules` (rule id → JSON) and a counter `{name}:rules_version`
 * that every change moves (and that gives new rules their ids); each change is also published as the
 * bot's name on `<prefix>:rules`, so a running `tfctl stream` picks it up at once.
 */
export interface Rule {
  id: string;
  /** The X query. */
  value: string;
  tag?: string;
  /** How it was given: track (keywords, the default), follow (user ids), locations (bounding boxes). */
  type: RuleType;
  /** epoch ms */
  created_at: number;
}

export const RULE_TYPES = ['track', 'follow', 'locations'] as const;
export type RuleType = (typeof RULE_TYPES)[number];

/** What a kind that keeps rules allows for one bot: how many, how long, and why (for the error). */
export interface RuleLimits {
  count: number;
  length: number;
  /** e.g. "the pro tier" */
  why: string;
}

export const RULES_SUFFIX = 'rules';
export const RULES_VERSION_SUFFIX = 'rules_version';

/**
 * Builds a rule's query from the convenience types: `follow 123 456` → `from:123 OR from:456`,
 * `locations "-74.1 40.6 -73.9 40.8"` → `bounding_box:[-74.1 40.6 -73.9 40.8]`, track as written.
 */
export function buildQuery(type: RuleType, input: string): string {
  const text = input.trim();
  if (!text) throw new UsageError('a rule needs a query');
  if (type === 'track') return text;
  if (type === 'follow') {
    const ids = text.split(/[\s,]+/).filter(Boolean).map((s) => s.replace(/^@/, ''));
    for (const id of ids) if (!/^\d{1,19}$/.test(id) && !/^\w{1,15}$/.test(id)) throw new UsageError(`--type follow takes user ids or usernames, not "${id}"`);
    return ids.map((id) => `from:${id}`).join(' OR ');
  }
  const boxes = text.split(/\s*;\s*/).filter(Boolean).map((box) => {
    const n = box.replace(/[[\]]/g, ' ').split(/[\s,]+/).filter(Boolean);
    if (n.length !== 4 || n.some((x) => !Number.isFinite(Number(x)))) throw new UsageError(`--type locations takes "west south east north" (four numbers, boxes separated by ";"), not "${box}"`);
    return `bounding_box:[${n.join(' ')}]`;
  });
  return boxes.join(' OR ');
}

/** Parses a rule as X would (stream flavour), within the limits; a bad one is a usage error pointing at its column. */
export function checkRule(value: string, limits: RuleLimits): Query {
  try {
    return parseQuery(value, { maxLength: limits.length, flavor: 'stream' });
  } catch (err) {
    if (err instanceof XQueryTooLongError) throw new UsageError(`rule is ${value.length} characters; ${limits.why} allows at most ${limits.length}`);
    if (err instanceof XQuerySyntaxError) throw new UsageError(`invalid query at column ${err.column}: ${err.detail}: ${value}`);
    throw err;
  }
}

export class Rules {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async list(bot: string): Promise<Rule[]> {
    const h = await this.redis.hgetall(this.keys.own(bot, RULES_SUFFIX));
    return Object.values(h)
      .map((v) => JSON.parse(v) as Rule)
      .sort((a, b) => Number(a.id) - Number(b.id));
  }

  async version(bot: string): Promise<number> {
    return Number((await this.redis.get(this.keys.own(bot, RULES_VERSION_SUFFIX))) ?? 0);
  }

  /** Adds rules after checking each and the count; a duplicate value is refused (X refuses it too). */
  async add(bot: string, rules: Array<Pick<Rule, 'value' | 'tag' | 'type'>>, limits: RuleLimits, now: number): Promise<Rule[]> {
    const existing = await this.list(bot);
    const values = new Set(existing.map((r) => r.value));
    for (const r of rules) {
      checkRule(r.value, limits);
      if (values.has(r.value)) throw new UsageError(`${bot} already has the rule ${JSON.stringify(r.value)}`);
      values.add(r.value);
    }
    if (existing.length + rules.length > limits.count) {
      throw new UsageError(`${bot} would have ${existing.length + rules.length} rules; ${limits.why} allows at most ${limits.count}`);
    }
    if (rules.length === 0) return [];
    // The version counter hands out the ids: one INCRBY reserves them all, then one MULTI stores them.
    const top = await this.redis.incrby(this.keys.own(bot, RULES_VERSION_SUFFIX), rules.length);
    const added = rules.map((r, i) => ({ id: String(top - rules.length + 1 + i), value: r.value, ...(r.tag ? { tag: r.tag } : {}), type: r.type, created_at: now }));
    const multi = this.redis.multi();
    for (const r of added) multi.hset(this.keys.own(bot, RULES_SUFFIX), r.id, JSON.stringify(r));
    multi.publish(this.keys.rulesChannel(), bot);
    await multi.exec();
    return added;
  }

  /** Removes rules by id; unknown ids are a usage error and nothing is removed. */
  async remove(bot: string, ids: string[]): Promise<void> {
    const key = this.keys.own(bot, RULES_SUFFIX);
    const present = await this.redis.hmget(key, ...ids);
    const missing = ids.filter((_, i) => present[i] === null);
    if (missing.length) throw new UsageError(`${bot} has no rule ${missing.join(', ')} (tfctl rules list ${bot})`);
    const multi = this.redis.multi();
    multi.hdel(key, ...ids);
    multi.incr(this.keys.own(bot, RULES_VERSION_SUFFIX));
    multi.publish(this.keys.rulesChannel(), bot);
    await multi.exec();
  }
}
