import type { RedisClient } from '../../store/client.js';
import { UsageError } from '../../errors.js';
import { scanKeys } from '../../store/scan.js';
import { buildQuery, RULE_TYPES, type Rule, type RuleType } from '../rules.js';

/**
 * Traptor's rules, as its users keep them in Redis: one hash per rule, `traptor-<type>:<traptor id>:<rule
 * id>`, with `value` (track: Twitter 1.1 track syntax, commas between alternatives and spaces between
 * words all required; follow: a user id; locations: "west,south,east,north"), and `tag`, `rule_id`.
 */
export interface TraptorRule {
  key: string;
  type: RuleType;
  traptorId: string;
  ruleId: string;
  value: string;
  tag?: string;
}

const KEY_RE = /^traptor-(track|follow|locations):([^:]+):(.+)$/;

/** The X query of one Traptor rule. */
export function convert(r: TraptorRule): Pick<Rule, 'value' | 'tag' | 'type'> {
  let input = r.value.trim();
  if (r.type === 'track') {
    // 1.1 track: "a b,c" is (a AND b) OR c.
    const alts = input.split(',').map((s) => s.trim()).filter(Boolean);
    input = alts.length > 1 ? alts.map((a) => (a.includes(' ') ? `(${a})` : a)).join(' OR ') : (alts[0] ?? '');
  }
  if (r.type === 'locations') input = input.replace(/,/g, ' ');
  return { value: buildQuery(r.type, input), tag: r.tag || `traptor:${r.ruleId}`, type: r.type };
}

/** Every Traptor rule hash in that Redis, optionally of one type and one traptor id, in key order. */
export async function readTraptorRules(redis: RedisClient, opts: { type?: string; id?: string } = {}): Promise<TraptorRule[]> {
  if (opts.type && !(RULE_TYPES as readonly string[]).includes(opts.type)) throw new UsageError(`--type must be one of ${RULE_TYPES.join(', ')}, not "${opts.type}"`);
  const pattern = `traptor-${opts.type ?? '*'}:${opts.id ?? '*'}:*`;
  const keys: string[] = [];
  for await (const batch of scanKeys(redis, pattern)) keys.push(...batch);
  const out: TraptorRule[] = [];
  for (const key of keys.sort()) {
    const m = KEY_RE.exec(key);
    if (!m || (await redis.type(key)) !== 'hash') continue;
    const h = await redis.hgetall(key);
    if (!h.value) throw new UsageError(`${key} has no value field: not a Traptor rule`);
    out.push({ key, type: m[1] as RuleType, traptorId: m[2]!, ruleId: h.rule_id || m[3]!, value: h.value, ...(h.tag ? { tag: h.tag } : {}) });
  }
  return out;
}
