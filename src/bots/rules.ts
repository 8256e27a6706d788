import type { RedisClient } from '../store/client.js';
import { UsageError } from '../errors.js';
import type { Bot } from '../store/bot-record.js';
import type { Keys } from '../store/keys.js';
import { parseQuery, XQuerySyntaxError, XQueryTooLongError, type Query } from '../xquery/index.js';
import type { BotSection } from './types.js';

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
    private readonly redis: RedisClient,
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

  /**
   * Makes the bot's rules exactly `want` (matched by query), changing only what differs: a rule whose
   * query stays keeps its id, and so its since id and hit counters; one whose tag or type changed is
   * updated in place. One MULTI (after the id reservation), one version move, one message.
   */
  async replace(bot: string, want: DeclaredRule[], now: number): Promise<{ added: number; removed: number; changed: number }> {
    const have = await this.list(bot);
    const byValue = new Map(have.map((r) => [r.value, r]));
    const wanted = new Set(want.map((r) => r.value));
    const removed = have.filter((r) => !wanted.has(r.value)).map((r) => r.id);
    const changed: Rule[] = [];
    const fresh: DeclaredRule[] = [];
    for (const w of want) {
      const r = byValue.get(w.value);
      if (!r) fresh.push(w);
      else if ((r.tag ?? '') !== (w.tag ?? '') || r.type !== (w.type ?? 'track')) changed.push({ id: r.id, value: r.value, ...(w.tag ? { tag: w.tag } : {}), type: w.type ?? 'track', created_at: r.created_at });
    }
    if (!removed.length && !changed.length && !fresh.length) return { added: 0, removed: 0, changed: 0 };
    const key = this.keys.own(bot, RULES_SUFFIX);
    const versionKey = this.keys.own(bot, RULES_VERSION_SUFFIX);
    const top = fresh.length ? await this.redis.incrby(versionKey, fresh.length) : 0;
    const multi = this.redis.multi();
    if (removed.length) multi.hdel(key, ...removed);
    for (const r of changed) multi.hset(key, r.id, JSON.stringify(r));
    fresh.forEach((w, i) => {
      const r: Rule = { id: String(top - fresh.length + 1 + i), value: w.value, ...(w.tag ? { tag: w.tag } : {}), type: w.type ?? 'track', created_at: now };
      multi.hset(key, r.id, JSON.stringify(r));
    });
    if (!fresh.length) multi.incr(versionKey);
    multi.publish(this.keys.rulesChannel(), bot);
    await multi.exec();
    return { added: fresh.length, removed: removed.length, changed: changed.length };
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

/** A rule as a farm file declares it: its query, and its tag and type when it has them. */
export interface DeclaredRule {
  value: string;
  tag?: string;
  /** Only when not track (the default): how it was given, kept so an export applies back the same. */
  type?: Exclude<RuleType, 'track'>;
}

/** A declared rule in the section's normal form: the bare query when that is all it has. */
type RuleEntry = string | DeclaredRule;

const entryOf = (r: DeclaredRule): RuleEntry => (r.tag || r.type ? { value: r.value, ...(r.tag ? { tag: r.tag } : {}), ...(r.type ? { type: r.type } : {}) } : r.value);
const declared = (e: RuleEntry): DeclaredRule => (typeof e === 'string' ? { value: e } : e);
/** Sorted by query: rules are a set, and ids (creation order) are the farm's own business. */
const sorted = (rules: DeclaredRule[]): RuleEntry[] => [...rules].sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0)).map(entryOf);
const label = (r: DeclaredRule) => `${JSON.stringify(r.value)}${r.tag ? ` [${r.tag}]` : ''}${r.type ? ` (${r.type})` : ''}`;

/**
 * The `rules` section of a farm file, for any kind that works by rules (collector, retweeter): a list
 * of queries, each a string or `{value, tag, type}`, checked as `tfctl rules add` checks them against
 * the limits the bot's settings give. Apply changes only the rules that differ (Rules.replace), so a
 * kept rule keeps its id and what was counted under it.
 */
export function rulesSection(limitsOf: (settings: Record<string, unknown>) => RuleLimits): BotSection {
  return {
    key: 'rules',
    help: 'its rules: X queries, each a string or {value, tag, type}',
    parse(value, bot, settings) {
      if (value === null || value === undefined || value === '') return [];
      if (!Array.isArray(value)) throw new UsageError('rules must be a list of queries (a string, or value: and optionally tag: and type:)');
      const limits = limitsOf(settings);
      const seen = new Set<string>();
      const rules = value.map((item: unknown, i): DeclaredRule => {
        const n = `rule ${i + 1}`;
        let r: DeclaredRule;
        if (typeof item === 'string') r = { value: item.trim() };
        else if (item && typeof item === 'object' && !Array.isArray(item)) {
          const o = item as Record<string, unknown>;
          const unknown = Object.keys(o).filter((k) => !['value', 'tag', 'type'].includes(k));
          if (unknown.length) throw new UsageError(`${n}: unknown key "${unknown[0]}": a rule has value, tag and type`);
          if (typeof o.value !== 'string') throw new UsageError(`${n} needs value: its query`);
          if (o.tag !== undefined && typeof o.tag !== 'string') throw new UsageError(`${n}: tag must be text`);
          const type = o.type ?? 'track';
          if (!(RULE_TYPES as readonly unknown[]).includes(type)) throw new UsageError(`${n}: type must be one of ${RULE_TYPES.join(', ')}`);
          r = { value: o.value.trim(), ...(o.tag ? { tag: o.tag } : {}), ...(type !== 'track' ? { type: type as DeclaredRule['type'] } : {}) };
        } else throw new UsageError(`${n} must be a query, or value: and optionally tag: and type:`);
        if (!r.value) throw new UsageError(`${n} is empty`);
        try {
          checkRule(r.value, limits);
        } catch (err) {
          throw new UsageError(`${n}: ${(err as Error).message}`);
        }
        if (seen.has(r.value)) throw new UsageError(`${n}: the rule ${JSON.stringify(r.value)} is given twice`);
        seen.add(r.value);
        return r;
      });
      if (rules.length > limits.count) throw new UsageError(`${bot} would have ${rules.length} rules; ${limits.why} allows at most ${limits.count}`);
      return sorted(rules);
    },
    async read(bot: Bot, ctx) {
      const rules = await new Rules(ctx.redis, ctx.store.keys).list(bot.name);
      return sorted(rules.map((r) => ({ value: r.value, ...(r.tag ? { tag: r.tag } : {}), ...(r.type !== 'track' ? { type: r.type } : {}) })));
    },
    async write(bot: Bot, value, ctx) {
      await new Rules(ctx.redis, ctx.store.keys).replace(bot.name, (value as RuleEntry[]).map(declared), ctx.now());
    },
    summary(from, to) {
      const before = new Map(((from as RuleEntry[] | undefined) ?? []).map(declared).map((r) => [r.value, r]));
      const after = ((to as RuleEntry[]) ?? []).map(declared);
      const parts: string[] = [];
      for (const r of after) {
        const was = before.get(r.value);
        if (!was) parts.push(`+ ${label(r)}`);
        else if (JSON.stringify(entryOf(was)) !== JSON.stringify(entryOf(r))) parts.push(`~ ${label(r)}`);
        before.delete(r.value);
      }
      for (const r of before.values()) parts.push(`- ${label(r)}`);
      return parts.join(', ');
    },
  };
}
